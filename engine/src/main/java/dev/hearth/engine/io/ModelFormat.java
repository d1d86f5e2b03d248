package dev.hearth.engine.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.SuppliedWeights;
import dev.hearth.engine.tensor.Tensor;
import java.util.Map;

/**
 * How one architecture is written in a Hugging Face model folder: the fields of its
 * {@code config.json} and the names (and layouts) of its tensors in {@code model.safetensors}.
 */
interface ModelFormat {

    /** The {@code model_type} values this format reads, e.g. "gpt2", or "llama", "qwen2", "mistral". */
    boolean reads(String modelType);

    /** Whether this format writes {@code model}. */
    boolean writes(LanguageModel model);

    /**
     * A model shaped as {@code config} says, its weights initialised (they are loaded afterwards)
     * except the matrices {@code supplied} holds quantized, which its layers take as they are built.
     * A format that stores no quantized weights ignores {@code supplied}; the loader then reports
     * every matrix no layer took.
     */
    LanguageModel build(ObjectNode config, ConfigReader read, SuppliedWeights supplied);

    /** The {@code config.json} fields for {@code model}. */
    ObjectNode config(LanguageModel model);

    /** The model's tensors under Hugging Face's names and layouts. */
    Map<String, Tensor> toHuggingFace(LanguageModel model);

    /**
     * Hearth's parameter names and tensors from the file's, for {@code Module.loadState}; names the
     * format does not know are returned under their own name so the strict load reports them.
     */
    Map<String, Tensor> fromHuggingFace(Map<String, Tensor> tensors, LanguageModel model);

    /**
     * The file's name of Hearth's parameter {@code name} when the format stores it as it is (same
     * layout, not fused with others), as quantized weights must be; null when it cannot.
     */
    default String fileNameOf(String name) {
        return null;
    }

    /** Hearth's name of the file's tensor {@code fileName} stored as it is, or null (see {@link #fileNameOf}). */
    default String parameterNameOf(String fileName) {
        return null;
    }
}
