package dev.hearth.engine.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.nn.SuppliedWeights;
import dev.hearth.engine.tensor.Tensor;
import java.util.Map;
import java.util.function.Predicate;

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
     * A model shaped as {@code config} says, its layers taking the weights {@code supplied} holds
     * (quantized matrices, float tensors) as they are built and initialising the rest. The loader
     * then reports every tensor no layer took and every parameter it did not supply.
     */
    LanguageModel build(ObjectNode config, ConfigReader read, SuppliedWeights supplied);

    /** The {@code config.json} fields for {@code model}. */
    ObjectNode config(LanguageModel model);

    /** The model's tensors under Hugging Face's names and layouts. */
    Map<String, Tensor> toHuggingFace(LanguageModel model);

    /**
     * Hearth's parameter names and tensors from the file's, for {@code Module.loadState}; names the
     * format does not know are returned under their own name so the strict load reports them, and
     * those it {@link #ignores} are left out.
     */
    Map<String, Tensor> fromHuggingFace(Map<String, Tensor> tensors, LanguageModel model);

    /**
     * Whether the file's tensor {@code fileName} is none of {@code model}'s weights and is skipped
     * (a buffer older files carry, an output head tied to the embedding), so a loader need not read it.
     */
    boolean ignores(String fileName, LanguageModel model);

    /**
     * Where the files keep Hearth's float parameter {@code name}, or null when no tensor the files
     * hold ({@code held} says which) is it. The loader decodes it from there straight into the
     * parameter's array.
     */
    Source sourceOf(String name, Predicate<String> held);

    /**
     * A float parameter in the file: the tensor {@code tensor}, whose last dimension is cut into
     * {@code parts} equal parts of which {@code part} is taken (GPT-2 stores q, k and v side by side),
     * then transposed when {@code transposed} (GPT-2's Conv1D stores (in, out)).
     */
    record Source(String tensor, int part, int parts, boolean transposed) {
        /** The tensor as it is. */
        static Source whole(String tensor) {
            return new Source(tensor, 0, 1, false);
        }

        boolean isWhole() {
            return parts == 1 && !transposed;
        }
    }

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
