package dev.hearth.lab.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.nn.Activation;
import dev.hearth.engine.nn.Layer;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Sequential;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.lab.data.CsvTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained tabular classifier: the fitted {@link FeatureEncoder} and a plain engine network that maps
 * encoded features (n, features) to class logits (n, classes). The network is an ordinary
 * {@link Layer} with autograd, so gradients with respect to the input features work (for explanations).
 *
 * <p>Its folder holds {@code model.safetensors} (the weights, PyTorch {@code nn.Sequential} names
 * {@code 0.weight}, {@code 0.bias}, ...), {@code encoder.json} and {@code config.json}
 * ({@code "task": "tabular"} and the {@link Architecture}).
 */
public final class TabularModel {

    /**
     * @param kind {@code logistic} (one linear layer: multinomial logistic regression) or {@code mlp}
     *             (linear layers with ReLU between them)
     * @param hidden the hidden widths of an MLP (empty for logistic)
     */
    public record Architecture(String kind, List<Integer> hidden, int features, int classes) {
        public Architecture {
            hidden = List.copyOf(hidden);
            if (!kind.equals("logistic") && !kind.equals("mlp")) {
                throw new HearthException("unknown tabular model '" + kind + "'; choose logistic or mlp");
            }
            if (kind.equals("mlp") && hidden.isEmpty()) {
                throw new HearthException("an mlp needs at least one hidden width (e.g. --hidden 64)");
            }
            if (kind.equals("logistic") && !hidden.isEmpty()) {
                throw new HearthException("logistic regression has no hidden layers; drop --hidden or use --model mlp");
            }
            for (int h : hidden) {
                if (h < 1) {
                    throw new HearthException("hidden widths must be positive; got " + hidden);
                }
            }
            if (features < 1 || classes < 2) {
                throw new HearthException("a tabular model needs features >= 1 and classes >= 2; got " + features + ", "
                        + classes);
            }
        }

        /** The network, weights and biases uniform in ±1/sqrt(fan in) as PyTorch initialises them. */
        public Sequential build(Rng rng) {
            Sequential s = new Sequential();
            int in = features;
            for (int h : hidden) {
                s.add(Linear.withFanInInit(in, h, true, rng));
                s.add(new Activation(Activation.Kind.RELU));
                in = h;
            }
            s.add(Linear.withFanInInit(in, classes, true, rng));
            return s;
        }
    }

    public static final String WEIGHTS = "model.safetensors";
    public static final String ENCODER = "encoder.json";
    public static final String CONFIG = "config.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final FeatureEncoder encoder;
    private final Architecture architecture;
    private final Sequential network;

    public TabularModel(FeatureEncoder encoder, Architecture architecture, Sequential network) {
        if (architecture.features() != encoder.width() || architecture.classes() != encoder.classes().size()) {
            throw new HearthException("the architecture (" + architecture.features() + " features, " + architecture.classes()
                    + " classes) does not fit the encoder (" + encoder.width() + ", " + encoder.classes().size() + ")");
        }
        this.encoder = encoder;
        this.architecture = architecture;
        this.network = network;
    }

    /** True when {@code dir} holds a tabular model's config. */
    public static boolean isTabular(Path dir) {
        Path c = dir.resolve(CONFIG);
        if (!Files.isRegularFile(c) || !Files.isRegularFile(dir.resolve(ENCODER))) {
            return false;
        }
        try {
            return "tabular".equals(JSON.readTree(c.toFile()).path("task").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /** Loads a folder written by {@link #save}; the network is in evaluation mode. */
    public static TabularModel load(Path dir) {
        if (!isTabular(dir)) {
            throw new HearthException(dir + " is not a tabular model folder (it needs " + CONFIG + " with \"task\":"
                    + " \"tabular\", " + ENCODER + " and " + WEIGHTS + "); train one with 'hearth train tabular'");
        }
        try {
            FeatureEncoder enc = JSON.readValue(dir.resolve(ENCODER).toFile(), FeatureEncoder.class);
            Architecture arch = JSON.treeToValue(JSON.readTree(dir.resolve(CONFIG).toFile()).path("architecture"),
                    Architecture.class);
            Sequential net = arch.build(new Rng(0));
            try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve(WEIGHTS))) {
                net.loadState(f.readAll(), true);
            }
            net.eval();
            return new TabularModel(enc, arch, net);
        } catch (IOException e) {
            throw new HearthException("cannot read the tabular model in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes the weights, the encoder and a config holding the architecture and {@code extra} entries. */
    public void save(Path dir, Map<String, Object> extra) {
        try {
            Files.createDirectories(dir);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "hearth");
            meta.put("architecture", "TabularClassifier");
            SafeTensors.write(dir.resolve(WEIGHTS), network.parameters(), meta);
            JSON.writeValue(dir.resolve(ENCODER).toFile(), encoder);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("task", "tabular");
            config.put("architecture", architecture);
            config.put("label", encoder.label());
            config.put("classes", encoder.classes());
            config.putAll(extra);
            JSON.writeValue(dir.resolve(CONFIG).toFile(), config);
        } catch (IOException e) {
            throw new HearthException("cannot save the tabular model into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The network: encoded features (n, features) to logits (n, classes). */
    public Sequential network() {
        return network;
    }

    public FeatureEncoder encoder() {
        return encoder;
    }

    public Architecture architecture() {
        return architecture;
    }

    /** The encoded features' names, e.g. {@code age}, {@code workclass=Private}. */
    public List<String> featureNames() {
        return encoder.featureNames();
    }

    /** The class names; index = the logit's column. */
    public List<String> classNames() {
        return encoder.classes();
    }

    /** Encoded features (n, features) of rows laid out as {@code header}. */
    public Tensor encode(List<String> header, List<String[]> rows) {
        return encoder.encode(header, rows, "the input").features();
    }

    /** Encoded features of a table's rows. */
    public Tensor encode(CsvTable table) {
        return encoder.encode(table).features();
    }

    /** Class probabilities (n, classes) of encoded features, without gradients, in batches of 4,096. */
    public double[][] probabilities(Tensor features) {
        return probabilities(network, features);
    }

    /** Softmax of {@code network}'s logits for {@code features} (n, f), in batches of 4,096, no gradients. */
    public static double[][] probabilities(Layer network, Tensor features) {
        return probabilities(network, features, 4096);
    }

    /** Softmax of {@code network}'s logits for the rows of {@code features} (n, ...), {@code batch} at a time. */
    public static double[][] probabilities(Layer network, Tensor features, int batch) {
        int n = features.dim(0);
        double[][] out = new double[n][];
        boolean wasTraining = network.isTraining();
        network.eval();
        try (Autograd.Scope s = Autograd.noGrad()) {
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                Tensor p = network.forward(features.slice(0, from, to).contiguous()).softmax(1).contiguous();
                float[] d = p.toFloatArray();
                int k = p.dim(1);
                for (int i = 0; i < to - from; i++) {
                    double[] row = new double[k];
                    for (int j = 0; j < k; j++) {
                        row[j] = d[i * k + j];
                    }
                    out[from + i] = row;
                }
            }
        } finally {
            network.train(wasTraining);
        }
        return out;
    }
}
