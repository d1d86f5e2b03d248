package dev.hearth.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A model as a Hugging Face folder: {@code config.json}, {@code model.safetensors} (or shards
 * with {@code model.safetensors.index.json} when reading), {@code tokenizer.json} and
 * {@code generation_config.json}. GPT-2, Llama, Qwen2 and Mistral shapes are understood; the name
 * and layout mappings are documented on {@link Gpt2Format} and {@link LlamaFormat}.
 *
 * <p>Saving is all or nothing: the files are written into a temporary sibling folder which then
 * replaces the target, so an interrupted save leaves either the old folder or the new one.
 */
public final class ModelFolder {
    private ModelFolder() {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<ModelFormat> FORMATS = List.of(new Gpt2Format(), new LlamaFormat());

    /** Writes more files into the folder being saved, before it replaces the target. */
    @FunctionalInterface
    public interface ExtraFiles {
        void write(Path folder) throws IOException;
    }

    /** What a folder holds. */
    public record Loaded(LanguageModel model, Tokenizer tokenizer, GenerationConfig generation, ObjectNode config) {}

    /**
     * Writes {@code model} (and its tokenizer and generation defaults) to {@code dir}, replacing
     * what is there. {@code metadata} goes into the safetensors header (provenance: run, data
     * hashes, code version).
     */
    public static void save(Path dir, LanguageModel model, Tokenizer tokenizer, GenerationConfig generation,
                            Map<String, String> metadata) {
        save(dir, model, tokenizer, generation, metadata, folder -> { });
    }

    /**
     * As {@link #save(Path, LanguageModel, Tokenizer, GenerationConfig, Map)}, with {@code extra}
     * writing more files (a trainer's state, an optimizer) into the same folder, so that they are
     * replaced together with the weights or not at all.
     */
    public static void save(Path dir, LanguageModel model, Tokenizer tokenizer, GenerationConfig generation,
                            Map<String, String> metadata, ExtraFiles extra) {
        ModelFormat format = FORMATS.stream().filter(f -> f.writes(model)).findFirst()
                .orElseThrow(() -> new CheckpointException("no Hugging Face layout is known for "
                        + model.getClass().getSimpleName()));
        Path parent = dir.toAbsolutePath().getParent();
        String tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Path tmp = parent.resolve("." + dir.getFileName() + ".tmp-" + tag);
        try {
            Files.createDirectories(tmp);
            ObjectNode config = format.config(model);
            if (generation != null) {
                if (generation.bosTokenId() >= 0) {
                    config.put("bos_token_id", generation.bosTokenId());
                }
                putEos(config, generation.eosTokenIds());
            }
            config.put("transformers_version", "4.46.0");
            write(tmp.resolve("config.json"), config);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            if (metadata != null) {
                meta.putAll(metadata);
            }
            var quantized = model.quantizedParameters();
            if (quantized.isEmpty()) {
                SafeTensors.write(tmp.resolve("model.safetensors"), format.toHuggingFace(model), meta);
            } else {
                config.set(QuantizedWeights.KEY, QuantizedWeights.entry(format, quantized));
                write(tmp.resolve("config.json"), config);
                SafeTensorsWriter writer = new SafeTensorsWriter();
                format.toHuggingFace(model).forEach(writer::add);
                QuantizedWeights.add(writer, format, quantized);
                writer.metadata(meta);
                writer.write(tmp.resolve("model.safetensors"));
            }
            if (tokenizer != null) {
                tokenizer.save(tmp.resolve("tokenizer.json"));
            }
            if (generation != null) {
                write(tmp.resolve("generation_config.json"), generationJson(generation));
            }
            extra.write(tmp);
            replace(dir, tmp, parent, tag);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new CheckpointException(dir, "cannot save the model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** Reads a model folder written here or by Hugging Face transformers. */
    public static Loaded load(Path dir) {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(dir, "no config.json: this is not a model folder (expected config.json,"
                    + " model.safetensors and tokenizer.json)");
        }
        ObjectNode config = readObject(configFile);
        ConfigReader read = new ConfigReader(configFile, config);
        String type = read.text("model_type", null);
        if (type == null) {
            throw read.fail("model_type", "is missing");
        }
        ModelFormat format = FORMATS.stream().filter(f -> f.reads(type)).findFirst()
                .orElseThrow(() -> read.fail("model_type", "is \"" + type + "\"; Hearth reads gpt2, llama, qwen2 and"
                        + " mistral"));
        QuantizedWeights.Spec quantization = QuantizedWeights.read(configFile, config);
        LanguageModel model;
        // Every weight goes from the mapped files straight into the layer that uses it, which is built
        // around it: a packed matrix is copied onto the heap as it is, a float tensor is decoded into the
        // array that becomes the parameter. Nothing is initialised first and then overwritten.
        try (WeightFiles files = new WeightFiles(() -> weightFiles(dir))) {
            QuantizedWeights.Supply packed = quantization == null ? null
                    : QuantizedWeights.supply(dir, format, quantization, files.all());
            FloatWeights supply = new FloatWeights(dir, format, files, packed);
            model = format.build(config, read, supply);
            if (packed != null) {
                packed.checkAllTaken();
            }
            // What no layer took: buffers to skip, tensors no parameter has (reported), GPT-2's zero biases.
            Map<String, Tensor> rest = new LinkedHashMap<>();
            for (SafeTensorsFile f : files.all()) {
                for (String name : f.names()) {
                    if (!supply.read(name) && !format.ignores(name, model)) {
                        rest.put(name, f.tensor(name));
                    }
                }
            }
            try {
                model.loadState(format.fromHuggingFace(rest, model), supply.taken(), true);
            } catch (dev.hearth.engine.HearthException e) {
                throw new CheckpointException(dir, "the weights do not fit config.json: " + e.getMessage(), e);
            }
        }
        model.eval();
        Path tokFile = dir.resolve("tokenizer.json");
        Tokenizer tokenizer = Files.isRegularFile(tokFile) ? Tokenizer.load(tokFile) : null;
        GenerationConfig generation = readGeneration(dir, read);
        return new Loaded(model, tokenizer, generation, config);
    }

    /** The folder's weight files: model.safetensors, or the shards its index names. */
    private static List<Path> weightFiles(Path dir) {
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return List.of(single);
        }
        Path index = dir.resolve("model.safetensors.index.json");
        if (!Files.isRegularFile(index)) {
            throw new CheckpointException(dir, "neither model.safetensors nor model.safetensors.index.json is here;"
                    + " PyTorch .bin weights are not read (convert them to safetensors)");
        }
        JsonNode map = readObject(index).get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(index, "has no \"weight_map\" object");
        }
        List<String> shards = new ArrayList<>();
        map.properties().forEach(e -> {
            if (!shards.contains(e.getValue().asText())) {
                shards.add(e.getValue().asText());
            }
        });
        List<Path> files = new ArrayList<>();
        for (String shard : shards) {
            Path file = dir.resolve(shard).normalize();
            if (!file.startsWith(dir.normalize())) {
                throw new CheckpointException(index, "shard \"" + shard + "\" points outside the model folder");
            }
            files.add(file);
        }
        return files;
    }

    private static GenerationConfig readGeneration(Path dir, ConfigReader modelConfig) {
        Path file = dir.resolve("generation_config.json");
        ObjectNode g = Files.isRegularFile(file) ? readObject(file) : JSON.createObjectNode();
        ConfigReader read = new ConfigReader(file, g);
        int bos = read.integer("bos_token_id", modelConfig.integer("bos_token_id", -1));
        List<Integer> eos = eosList(g.get("eos_token_id") != null ? g.get("eos_token_id")
                : modelConfig.node("eos_token_id"));
        GenerationConfig d = GenerationConfig.defaults(bos, eos);
        return new GenerationConfig(bos, eos, read.bool("do_sample", d.doSample()), read.number("temperature",
                d.temperature()), read.integer("top_k", d.topK()), read.number("top_p", d.topP()),
                read.number("repetition_penalty", d.repetitionPenalty()), read.integer("max_new_tokens",
                d.maxNewTokens()));
    }

    private static List<Integer> eosList(JsonNode eos) {
        List<Integer> out = new ArrayList<>();
        if (eos != null && eos.isIntegralNumber()) {
            out.add(eos.intValue());
        } else if (eos != null && eos.isArray()) {
            eos.forEach(n -> out.add(n.intValue()));
        }
        return out;
    }

    private static ObjectNode generationJson(GenerationConfig g) {
        ObjectNode o = JSON.createObjectNode();
        if (g.bosTokenId() >= 0) {
            o.put("bos_token_id", g.bosTokenId());
        }
        putEos(o, g.eosTokenIds());
        o.put("do_sample", g.doSample());
        o.put("temperature", g.temperature());
        o.put("top_k", g.topK());
        o.put("top_p", g.topP());
        o.put("repetition_penalty", g.repetitionPenalty());
        o.put("max_new_tokens", g.maxNewTokens());
        o.put("transformers_version", "4.46.0");
        return o;
    }

    private static void putEos(ObjectNode o, List<Integer> eos) {
        if (eos.size() == 1) {
            o.put("eos_token_id", eos.getFirst());
        } else if (!eos.isEmpty()) {
            ArrayNode a = o.putArray("eos_token_id");
            eos.forEach(a::add);
        }
    }

    private static ObjectNode readObject(Path file) {
        try {
            JsonNode n = JSON.readTree(StoredFiles.readString(file)); // plain or encrypted at rest
            if (!(n instanceof ObjectNode o)) {
                throw new CheckpointException(file, "is not a JSON object");
            }
            return o;
        } catch (IOException e) {
            throw new CheckpointException(file, "is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static void write(Path file, JsonNode json) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(json) + "\n", StandardCharsets.UTF_8);
    }

    /** Moves tmp to dir: the old folder aside first, then the new one in, then the old one away. */
    private static void replace(Path dir, Path tmp, Path parent, String tag) throws IOException {
        Path old = parent.resolve("." + dir.getFileName() + ".old-" + tag);
        boolean existed = Files.exists(dir);
        if (existed) {
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            if (existed) {
                Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        if (existed) {
            deleteQuietly(old);
        }
    }

    private static void deleteQuietly(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // best effort: a leftover temporary folder is harmless
                }
            });
        } catch (IOException ignored) {
            // best effort, as above
        }
    }
}
