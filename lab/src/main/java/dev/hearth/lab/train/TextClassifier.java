package dev.hearth.lab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.models.SequenceClassifier;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.eval.Classifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A text classifier made by fine-tuning a language model with a classification head
 * ({@code hearth train text}). Its folder holds {@code config.json} ({@code "task": "text"}, the
 * text and label columns, the classes, the token budget, the training record), the fine-tuned
 * language model as an ordinary model folder in {@code lm/}, and the head in
 * {@code score.safetensors}.
 */
public final class TextClassifier implements Classifier {
    public static final String CONFIG = "config.json";
    public static final String LM = "lm";
    public static final String HEAD = "score.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final SequenceClassifier network;
    private final Tokenizer tokenizer;
    private final String textColumn;
    private final String label;
    private final List<String> classes;
    private final int maxTokens;

    public TextClassifier(SequenceClassifier network, Tokenizer tokenizer, String textColumn, String label,
                          List<String> classes, int maxTokens) {
        if (classes.size() != network.classes()) {
            throw new HearthException(classes.size() + " class names for a head of " + network.classes() + " classes");
        }
        this.network = network;
        this.tokenizer = tokenizer;
        this.textColumn = textColumn;
        this.label = label;
        this.classes = List.copyOf(classes);
        this.maxTokens = Math.min(maxTokens, network.languageModel().contextLength());
    }

    /** True when {@code dir} holds a text classifier's config. */
    public static boolean isText(Path dir) {
        JsonNode c = readConfig(dir);
        return c != null && "text".equals(c.path("task").asText());
    }

    /** Loads a folder written by {@link #save}. */
    public static TextClassifier load(Path dir) {
        if (!isText(dir)) {
            throw new HearthException(dir + " is not a text classifier (it needs " + CONFIG + " with \"task\": \"text\","
                    + " the lm/ folder and " + HEAD + "); train one with 'hearth train text'");
        }
        JsonNode c = readConfig(dir);
        ModelFolder.Loaded lm = ModelFolder.load(dir.resolve(LM));
        List<String> classes = JSON.convertValue(c.path("classes"), JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        SequenceClassifier net = new SequenceClassifier(lm.model(), classes.size(), new Rng(0));
        try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve(HEAD))) {
            net.children().get("score").loadState(f.readAll(), true);       // the language model is loaded already
        }
        net.eval();
        return new TextClassifier(net, lm.tokenizer(), c.path("text").asText(), c.path("label").asText(), classes,
                c.path("max_tokens").asInt());
    }

    /** Writes the folder; {@code training} is recorded in config.json. */
    public void save(Path dir, Map<String, Object> training) {
        try {
            Files.createDirectories(dir);
            ModelFolder.save(dir.resolve(LM), network.languageModel(), tokenizer, GenerationConfig.defaults(-1, List.of()),
                    Map.of("format", "hearth", "task", "text-classifier-base"));
            Map<String, Tensor> head = new LinkedHashMap<>();
            network.parameters().forEach((k, v) -> {
                if (k.startsWith("score.")) {
                    head.put(k.substring("score.".length()), v);
                }
            });
            SafeTensors.write(dir.resolve(HEAD), head, Map.of("format", "hearth"));
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("task", "text");
            config.put("text", textColumn);
            config.put("label", label);
            config.put("classes", classes);
            config.put("max_tokens", maxTokens);
            config.put("pooling", "last token");
            config.put("training", training);
            JSON.writeValue(dir.resolve(CONFIG).toFile(), config);
        } catch (IOException e) {
            throw new HearthException("cannot write the text classifier to " + dir + ": " + e.getMessage(), e);
        }
    }

    public SequenceClassifier network() {
        return network;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public String textColumn() {
        return textColumn;
    }

    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public int[] labels(CsvTable table) {
        int col = column(table, label);
        int[] y = new int[table.rows().size()];
        for (int r = 0; r < y.length; r++) {
            String v = cell(table, r, col);
            y[r] = classes.indexOf(v);
            if (y[r] < 0) {
                throw new HearthException(table.file() + " row " + (r + 2) + ": label '" + v + "' is not one of the model's"
                        + " classes " + classes);
            }
        }
        return y;
    }

    @Override
    public double[][] probabilities(CsvTable table) {
        int col = column(table, textColumn);
        List<String> texts = new java.util.ArrayList<>();
        for (int r = 0; r < table.rows().size(); r++) {
            texts.add(cell(table, r, col));
        }
        return probabilities(texts);
    }

    /** Class probabilities of each text, 32 texts a forward pass. */
    public double[][] probabilities(List<String> texts) {
        double[][] out = new double[texts.size()][];
        network.eval();
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (int from = 0; from < texts.size(); from += 32) {
                int n = Math.min(32, texts.size() - from);
                Batch b = batch(texts.subList(from, from + n));
                Tensor p = network.forward(b.ids(), n, b.time(), b.lengths()).softmax(1);
                for (int i = 0; i < n; i++) {
                    out[from + i] = new double[classes.size()];
                    for (int k = 0; k < classes.size(); k++) {
                        out[from + i][k] = p.get(i, k);
                    }
                }
            }
        }
        return out;
    }

    /** Token ids of texts, each cut to the token budget, right-padded with id 0. */
    record Batch(int[] ids, int time, int[] lengths) {}

    Batch batch(List<String> texts) {
        int[][] enc = new int[texts.size()][];
        int time = 1;
        for (int i = 0; i < enc.length; i++) {
            int[] ids = tokenizer.encode(texts.get(i));
            if (ids.length == 0) {
                ids = tokenizer.encode(" ");
            }
            if (ids.length == 0) {
                throw new HearthException("text " + i + " encodes to no tokens");
            }
            enc[i] = ids.length > maxTokens ? java.util.Arrays.copyOf(ids, maxTokens) : ids;
            time = Math.max(time, enc[i].length);
        }
        int[] ids = new int[enc.length * time];
        int[] lengths = new int[enc.length];
        for (int i = 0; i < enc.length; i++) {
            System.arraycopy(enc[i], 0, ids, i * time, enc[i].length);
            lengths[i] = enc[i].length;
        }
        return new Batch(ids, time, lengths);
    }

    private static int column(CsvTable table, String name) {
        int c = table.header().indexOf(name);
        if (c < 0) {
            throw new HearthException(table.file() + " has no column '" + name + "'; the columns are " + table.header());
        }
        return c;
    }

    private static String cell(CsvTable table, int row, int col) {
        String[] r = table.rows().get(row);
        if (col >= r.length) {
            throw new HearthException(table.file() + " row " + (row + 2) + " has " + r.length + " cells; column " + (col + 1)
                    + " is missing");
        }
        return r[col];
    }

    private static JsonNode readConfig(Path dir) {
        Path c = dir.resolve(CONFIG);
        if (!Files.isRegularFile(c)) {
            return null;
        }
        try {
            return JSON.readTree(c.toFile());
        } catch (IOException e) {
            return null;
        }
    }
}
