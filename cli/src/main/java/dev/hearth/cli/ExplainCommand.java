package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.models.CnnClassifier;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.guard.explain.Attribution;
import dev.hearth.guard.explain.Background;
import dev.hearth.guard.explain.CoalitionModel;
import dev.hearth.guard.explain.Explanation;
import dev.hearth.guard.explain.ExplanationPage;
import dev.hearth.guard.explain.FeatureGroups;
import dev.hearth.guard.explain.GradientTimesInput;
import dev.hearth.guard.explain.IntegratedGradients;
import dev.hearth.guard.explain.KernelShap;
import dev.hearth.guard.explain.Lime;
import dev.hearth.guard.explain.MaskedInput;
import dev.hearth.guard.explain.NextTokenModel;
import dev.hearth.guard.explain.Occlusion;
import dev.hearth.guard.explain.Saliency;
import dev.hearth.guard.explain.TextClassifierModel;
import dev.hearth.guard.explain.ScoreModel;
import dev.hearth.lab.data.CsvTable;
import dev.hearth.lab.data.ImageSet;
import dev.hearth.lab.train.FeatureEncoder;
import dev.hearth.lab.train.TabularModel;
import dev.hearth.lab.train.TextClassifier;
import dev.hearth.lab.data.Mnist;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hearth explain}: why a model gave an output, by several attribution methods. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explain one prediction: why a language model picks its next token (attribution to the prompt's",
            "tokens, and attention maps), why a tabular model picks a class (attribution to the CSV's columns), or why",
            "an image classifier picks a class (pixel heat maps).",
            "Writes explanation.json and explanation.html; see docs/explain.md."})
final class ExplainCommand implements Callable<Integer> {

    enum Method {
        IG("integrated_gradients"), GRADXINPUT("gradient_x_input"), SALIENCY("saliency"), OCCLUSION("occlusion"),
        LIME("lime"), SHAP("kernel_shap"), ATTENTION("attention");

        final String key;

        Method(String key) {
            this.key = key;
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A language-model folder, a tabular model ('hearth train tabular') or the run folder of an image"
                    + " classifier ('hearth demo digits').")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Language models: the prompt whose next token is explained.")
    String prompt;

    @Option(names = "--target", paramLabel = "TEXT",
            description = "Language models: the next token to explain (one token; default: the most likely one).")
    String target;

    @Option(names = "--text", paramLabel = "TEXT",
            description = "Text classifiers: the text to explain (default: --row of --rows, the model's test split).")
    String text;

    @Option(names = "--image", paramLabel = "FILE", description = "Image classifiers: a PNG, JPEG, GIF or BMP image.")
    Path image;

    @Option(names = "--mnist-index", paramLabel = "N",
            description = "Image classifiers: image N of MNIST's t10k set (in --data).")
    Integer mnistIndex;

    @Option(names = "--data", paramLabel = "DIR", description = "Where the MNIST files are (default: ../shared/data).")
    Path data = Path.of("../shared/data");

    @Option(names = "--class", paramLabel = "N",
            description = "Classifiers: the class index to explain (default: the predicted one).")
    Integer targetClass;

    @Option(names = "--rows", paramLabel = "FILE.csv",
            description = "Tabular models: the CSV holding the row to explain (default: the model's data/test.csv).")
    Path rows;

    @Option(names = "--row", paramLabel = "N", description = "Tabular models: which data row of --rows, from 0 (default: 0).")
    int row = 0;

    @Option(names = "--background", paramLabel = "K",
            description = "Tabular models: k-means centres the training rows are summarised to, as the reference of"
                    + " occlusion, LIME and KernelSHAP (default: ${DEFAULT-VALUE}).")
    int backgroundSize = 10;

    @Option(names = "--methods", split = ",", paramLabel = "M[,M...]",
            description = "Any of ig, gradxinput, saliency, occlusion, lime, shap, attention (default: all that apply).")
    List<String> methods;

    @Option(names = "--steps", paramLabel = "N", description = "Integrated-gradients steps (default: ${DEFAULT-VALUE}).")
    int steps = 50;

    @Option(names = "--samples", paramLabel = "N",
            description = "Coalitions LIME and KernelSHAP evaluate (default: ${DEFAULT-VALUE}).")
    int samples = 2000;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of LIME and KernelSHAP sampling (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--replacement", paramLabel = "ID",
            description = "Language models: the token id that stands in for a removed token (default: the token of a space,"
                    + " else 0).")
    Integer replacement;

    @Option(names = "--patch", paramLabel = "PIXELS",
            description = "Images: the side of the squares LIME and KernelSHAP switch off, and of the occlusion window"
                    + " (default: ${DEFAULT-VALUE}).")
    int patch = 4;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("explanation");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws IOException {
        PrintWriter pw = spec.commandLine().getOut();
        if (!Files.isDirectory(model)) {
            throw new HearthException(model + " is not a folder; give a model folder or an image classifier's run folder");
        }
        Explanation e;
        if (Files.exists(model.resolve("tokenizer.json"))) {
            if (prompt == null || image != null || mnistIndex != null) {
                throw new ParameterException(spec.commandLine(), model + " is a language model: give --prompt (and not --image"
                        + " or --mnist-index)");
            }
            e = explainNextToken(pw);
        } else if (TextClassifier.isText(model)) {
            if (prompt != null || image != null || mnistIndex != null) {
                throw new ParameterException(spec.commandLine(), model + " is a text classifier: give --text TEXT, or"
                        + " --rows FILE.csv --row N (not --prompt, --image or --mnist-index)");
            }
            e = explainText(pw);
        } else if (TabularModel.isTabular(model)) {
            if (prompt != null || image != null || mnistIndex != null) {
                throw new ParameterException(spec.commandLine(), model + " is a tabular model: give --rows FILE.csv --row N"
                        + " (not --prompt, --image or --mnist-index)");
            }
            e = explainRow(pw);
        } else if (Files.exists(model.resolve("config.json")) && imageConfig() != null) {
            if ((image == null) == (mnistIndex == null) || prompt != null) {
                throw new ParameterException(spec.commandLine(), model + " is an image classifier: give --image FILE or"
                        + " --mnist-index N");
            }
            e = explainImage(pw);
        } else {
            throw new HearthException(model + " holds no model explain knows: a language model (tokenizer.json), a text"
                    + " classifier ('hearth train text'), a tabular model ('hearth train tabular') or an image classifier's"
                    + " run (config.json with a CnnClassifier model)");
        }
        write(e, out);
        pw.printf("wrote %s and %s%n", out.resolve("explanation.json"), out.resolve("explanation.html"));
        return 0;
    }

    private Set<Method> chosen() {
        if (methods == null || methods.isEmpty()) {
            return EnumSet.allOf(Method.class);
        }
        Set<Method> chosen = EnumSet.noneOf(Method.class);
        for (String name : methods) {
            try {
                chosen.add(Method.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException ex) {
                throw new ParameterException(spec.commandLine(), "unknown method '" + name + "' in --methods; choose from"
                        + " ig, gradxinput, saliency, occlusion, lime, shap, attention");
            }
        }
        return chosen;
    }

    // ---------------------------------------------------------------- language models

    private Explanation explainNextToken(PrintWriter pw) {
        ModelFolder.Loaded m = ModelFolder.load(model);
        Set<Method> use = chosen();
        if (m.config() != null && m.config().has("quantization")) {
            Set<Method> gradients = EnumSet.of(Method.IG, Method.GRADXINPUT, Method.SALIENCY);
            if (methods != null && !methods.isEmpty() && use.stream().anyMatch(gradients::contains)) {
                throw new HearthException(model + " is quantized: its weights have no gradients, so ig, gradxinput and"
                        + " saliency cannot run; use occlusion, lime, shap or attention, or explain the float32 model");
            }
            use.removeAll(gradients);
            pw.println("quantized model: gradient methods skipped (perturbation methods and attention only)");
        }
        return explainNextToken(m, model, prompt, target, replacement, use, steps, samples, seed, pw);
    }

    /**
     * Why the model in {@code m} continues {@code prompt} with {@code target} (one token's text, or
     * null for its most likely token), by the chosen methods; prints a line per method.
     */
    static Explanation explainNextToken(ModelFolder.Loaded m, Path modelDir, String prompt, String target,
                                        Integer replacement, Set<Method> chosen, int steps, int samples, long seed,
                                        PrintWriter pw) {
        int[] ids = m.tokenizer().encode(prompt);
        if (ids.length == 0) {
            throw new HearthException("the prompt encodes to no tokens; give a longer prompt");
        }
        List<String> tokens = new ArrayList<>();
        for (int id : ids) {
            tokens.add(m.tokenizer().decode(new int[] {id}));
        }
        NextTokenModel ntm = new NextTokenModel(m.model(), ids, tokens);
        double[] lp = ntm.nextTokenLogProbabilities();
        int t = targetToken(m, lp, target);
        String targetName = m.tokenizer().decode(new int[] {t});
        pw.printf(Locale.ROOT, "prompt: %d tokens; next token %s has probability %.4f%n", ids.length, quote(targetName),
                Math.exp(lp[t]));
        int rep = replacement != null ? replacement : replacementToken(m);
        CoalitionModel tokensOff = ntm.replacingTokens(rep, t);
        List<Attribution> attributions = attribute(chosen, ntm.embeddingScores(), ntm.embeddingInput(),
                ntm.baselineInput(rep), ntm.features(), method -> tokensOff, t, steps, samples, seed, null, pw);
        List<float[][][]> attention = chosen.contains(Method.ATTENTION) ? ntm.attention() : null;
        if (attention != null) {
            pw.printf("attention: %d layers x %d heads%n", attention.size(), attention.getFirst().length);
        }
        return new Explanation("language_model", modelDir.toString(), prompt, t, targetName, Math.exp(lp[t]), null,
                attributions, null, attention);
    }

    /** Writes explanation.json and explanation.html into {@code dir}. */
    static void write(Explanation e, Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("explanation.json").toFile(), e);
        Files.writeString(dir.resolve("explanation.html"), ExplanationPage.render(e));
    }

    private static int targetToken(ModelFolder.Loaded m, double[] lp, String target) {
        if (target == null) {
            int best = 0;
            for (int v = 1; v < lp.length; v++) {
                best = lp[v] > lp[best] ? v : best;
            }
            return best;
        }
        int[] ids = m.tokenizer().encode(target);
        if (ids.length != 1) {
            throw new HearthException("--target " + quote(target) + " is " + ids.length + " tokens for this model's"
                    + " tokenizer; give text that is exactly one token");
        }
        return ids[0];
    }

    private static int replacementToken(ModelFolder.Loaded m) {
        OptionalInt space = m.tokenizer().tokenId(" ");
        if (space.isPresent()) {
            return space.getAsInt();
        }
        int[] ids = m.tokenizer().encode(" ");
        return ids.length == 1 ? ids[0] : 0;
    }

    // ---------------------------------------------------------------- images

    private CnnClassifier.Config imageConfig() {
        try {
            JsonNode config = JSON.readTree(model.resolve("config.json").toFile()).get("model");
            return config == null || !config.has("channels") ? null : JSON.treeToValue(config, CnnClassifier.Config.class);
        } catch (IOException ex) {
            throw new HearthException("cannot read " + model.resolve("config.json") + ": " + ex.getMessage(), ex);
        }
    }

    private Explanation explainImage(PrintWriter pw) throws IOException {
        CnnClassifier.Config config = imageConfig();
        if (config.channels() != 1) {
            throw new HearthException("only one-channel (grey) image classifiers can be explained; this one has "
                    + config.channels() + " channels");
        }
        Path weights = model.resolve("model.safetensors");
        if (!Files.exists(weights)) {
            throw new HearthException(model + " has no model.safetensors; was the training run finished?");
        }
        CnnClassifier cnn = new CnnClassifier(config, new Rng(0));
        try (SafeTensorsFile file = SafeTensorsFile.open(weights)) {
            cnn.loadState(file.readAll(), true);
        }
        cnn.eval();
        cnn.freezeForInference();
        int h = config.height();
        int w = config.width();
        float[] pixels;
        String subject;
        if (image != null) {
            pixels = readImage(image, h, w);
            subject = image.toString();
        } else {
            ImageSet set = Mnist.read("t10k", data.resolve(Mnist.TEST_IMAGES), data.resolve(Mnist.TEST_LABELS));
            if (mnistIndex < 0 || mnistIndex >= set.count()) {
                throw new HearthException("--mnist-index " + mnistIndex + " is outside the set's " + set.count() + " images");
            }
            if (set.height() != h || set.width() != w) {
                throw new HearthException("MNIST images are " + set.height() + "x" + set.width() + " but the model reads "
                        + h + "x" + w);
            }
            pixels = java.util.Arrays.copyOfRange(set.pixels(), mnistIndex * h * w, (mnistIndex + 1) * h * w);
            subject = "MNIST t10k image " + mnistIndex + " (label " + set.labels()[mnistIndex] + ")";
        }
        ScoreModel f = in -> cnn.forward(in.reshape(in.dim(0), 1, h, w)).logSoftmax(1);
        double[] lp = new double[config.classes()];
        try (dev.hearth.engine.autograd.Autograd.Scope s = dev.hearth.engine.autograd.Autograd.noGrad()) {
            Tensor out = f.scores(Tensor.of(pixels.clone(), 1, h * w));
            for (int c = 0; c < lp.length; c++) {
                lp[c] = out.get(0, c);
            }
        }
        int predicted = 0;
        for (int c = 1; c < lp.length; c++) {
            predicted = lp[c] > lp[predicted] ? c : predicted;
        }
        int t = targetClass == null ? predicted : targetClass;
        if (t < 0 || t >= config.classes()) {
            throw new HearthException("--class " + t + " is outside the model's classes 0.." + (config.classes() - 1));
        }
        pw.printf(Locale.ROOT, "%s: predicted class %d (probability %.4f); explaining class %d%n", subject, predicted,
                Math.exp(lp[predicted]), t);
        List<String> pixelNames = new ArrayList<>();
        for (int i = 0; i < h * w; i++) {
            pixelNames.add("(" + i / w + "," + i % w + ")");
        }
        FeatureGroups each = FeatureGroups.each(pixelNames);
        FeatureGroups tiles = FeatureGroups.patches(h, w, patch, patch);
        FeatureGroups windows = FeatureGroups.patches(h, w, patch, Math.max(1, patch / 2));
        Background black = Background.baseline(new float[h * w]);
        CoalitionModel windowsOff = new MaskedInput(f, pixels, windows, black, t);
        CoalitionModel tilesOff = new MaskedInput(f, pixels, tiles, black, t);
        List<Attribution> attributions = attribute(chosen(), f, pixels, new float[h * w], each,
                m -> m == Method.OCCLUSION ? windowsOff : tilesOff, t, steps, samples, seed, null, pw);
        Map<String, double[]> maps = new LinkedHashMap<>();
        for (Attribution a : attributions) {
            maps.put(a.method(), switch (a.method()) {
                case "occlusion" -> windows.spread(a.values());
                case "lime", "kernel_shap" -> tiles.spread(a.values());
                default -> a.values();                                    // one value per pixel already
            });
        }
        return new Explanation("image", model.toString(), subject, t, "class " + t, Math.exp(lp[t]), null, attributions,
                new Explanation.Image(h, w, pixels, maps), null);
    }

    // ---------------------------------------------------------------- text classifiers

    private Explanation explainText(PrintWriter pw) {
        TextClassifier tc = TextClassifier.load(model);
        String input = text;
        String subject;
        if (input == null) {
            Path csv = rows != null ? rows : model.resolve("data").resolve("test.csv");
            if (!Files.isRegularFile(csv)) {
                throw new HearthException(csv + " does not exist; give --text, or the CSV holding the row with --rows");
            }
            CsvTable table = CsvTable.read(csv, null);
            if (row < 0 || row >= table.rows().size()) {
                throw new HearthException("--row " + row + " is outside " + csv + "'s " + table.rows().size() + " data rows");
            }
            int col = table.header().indexOf(tc.textColumn());
            if (col < 0 || col >= table.rows().get(row).length) {
                throw new HearthException(csv + " row " + row + " has no '" + tc.textColumn() + "' cell");
            }
            input = table.rows().get(row)[col];
            subject = input + " (" + csv + " row " + row + ")";
        } else {
            subject = input;
        }
        int[] ids = tc.tokenizer().encode(input);
        if (ids.length > tc.maxTokens()) {
            ids = java.util.Arrays.copyOf(ids, tc.maxTokens());
            pw.printf("the text is cut to its first %d tokens, as the classifier reads it%n", tc.maxTokens());
        }
        List<String> tokens = new ArrayList<>();
        for (int id : ids) {
            tokens.add(tc.tokenizer().decode(new int[] {id}));
        }
        TextClassifierModel tm = new TextClassifierModel(tc.network(), ids, tokens);
        double[] lp = tm.classLogProbabilities();
        int predicted = 0;
        for (int c = 1; c < lp.length; c++) {
            predicted = lp[c] > lp[predicted] ? c : predicted;
        }
        int t = targetClass == null ? predicted : targetClass;
        if (t < 0 || t >= lp.length) {
            throw new HearthException("--class " + t + " is outside the model's classes 0.." + (lp.length - 1) + " "
                    + tc.classes());
        }
        pw.printf(Locale.ROOT, "%d tokens: predicted %s (probability %.4f); explaining %s%n", ids.length,
                tc.classes().get(predicted), Math.exp(lp[predicted]), tc.classes().get(t));
        OptionalInt space = tc.tokenizer().tokenId(" ");
        int rep = replacement != null ? replacement : space.orElse(0);
        CoalitionModel tokensOff = tm.replacingTokens(rep, t);
        Set<Method> use = chosen();
        List<Attribution> attributions = attribute(use, tm.embeddingScores(), tm.embeddingInput(), tm.baselineInput(rep),
                tm.features(), method -> tokensOff, t, steps, samples, seed, null, pw);
        List<float[][][]> attention = use.contains(Method.ATTENTION) ? tm.attention() : null;
        return new Explanation("text_classifier", model.toString(), subject, t, tc.classes().get(t), Math.exp(lp[t]), null,
                attributions, null, attention);
    }

    // ---------------------------------------------------------------- tabular models

    private Explanation explainRow(PrintWriter pw) {
        TabularModel tm = TabularModel.load(model);
        Path csv = rows != null ? rows : model.resolve("data").resolve("test.csv");
        if (!Files.isRegularFile(csv)) {
            throw new HearthException(csv + " does not exist; give the CSV holding the row with --rows");
        }
        CsvTable table = CsvTable.read(csv, null);
        if (row < 0 || row >= table.rows().size()) {
            throw new HearthException("--row " + row + " is outside " + csv + "'s " + table.rows().size() + " data rows");
        }
        List<String[]> one = List.<String[]>of(table.rows().get(row));
        float[] x = tm.encode(table.header(), one).toFloatArray();
        Path trainCsv = model.resolve("data").resolve("train.csv");
        CsvTable train = Files.isRegularFile(trainCsv) ? CsvTable.read(trainCsv, null) : table;
        float[] all = tm.encode(train).toFloatArray();
        int d = x.length;
        float[][] trainRows = new float[all.length / d][];
        for (int r = 0; r < trainRows.length; r++) {
            trainRows[r] = java.util.Arrays.copyOfRange(all, r * d, (r + 1) * d);
        }
        Background background = Background.summarize(trainRows, backgroundSize, seed);
        float[] mean = new float[d];
        for (float[] r : trainRows) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / trainRows.length;
            }
        }
        // one feature per CSV column: a categorical column's one-hot positions together
        List<String> names = new ArrayList<>();
        List<int[]> members = new ArrayList<>();
        List<String> values = new ArrayList<>();
        int at = 0;
        String[] raw = table.rows().get(row);
        for (FeatureEncoder.Column c : tm.encoder().columns()) {
            int w = c.width();
            int[] m = new int[w];
            for (int j = 0; j < w; j++) {
                m[j] = at + j;
            }
            names.add(c.name());
            members.add(m);
            int col = table.header().indexOf(c.name());
            values.add(col >= 0 && col < raw.length ? raw[col] : "?");
            at += w;
        }
        FeatureGroups columns = new FeatureGroups(names, members.toArray(int[][]::new), d);
        dev.hearth.engine.nn.Layer net = tm.network();
        ScoreModel f = in -> net.forward(in).logSoftmax(1);
        double[] p = tm.probabilities(Tensor.of(x.clone(), 1, d))[0];
        int predicted = 0;
        for (int c = 1; c < p.length; c++) {
            predicted = p[c] > p[predicted] ? c : predicted;
        }
        int t = targetClass == null ? predicted : targetClass;
        if (t < 0 || t >= p.length) {
            throw new HearthException("--class " + t + " is outside the model's classes 0.." + (p.length - 1) + " "
                    + tm.classNames());
        }
        String subject = csv + " row " + row;
        pw.printf(Locale.ROOT, "%s: predicted %s (probability %.4f); explaining %s%n", subject,
                tm.classNames().get(predicted), p[predicted], tm.classNames().get(t));
        CoalitionModel columnsOff = new MaskedInput(f, x, columns, background, t);
        List<Attribution> attributions = attribute(chosen(), f, x, mean, columns, m -> columnsOff, t, steps, samples,
                seed, values, pw);
        return new Explanation("tabular", model.toString(), subject, t, tm.classNames().get(t), p[t], values, attributions,
                null, null);
    }

    /** A picture as grey values in [0, 1], white ink on black as MNIST is; it must already be h x w. */
    private static float[] readImage(Path file, int h, int w) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new HearthException("image " + file + " does not exist");
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new HearthException(file + " is not an image this reader knows (PNG, JPEG, GIF or BMP)");
        }
        if (img.getHeight() != h || img.getWidth() != w) {
            throw new HearthException(file + " is " + img.getWidth() + "x" + img.getHeight() + " pixels but the model reads "
                    + w + "x" + h + "; resize it first");
        }
        float[] p = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int grey = (((rgb >> 16) & 0xFF) * 299 + ((rgb >> 8) & 0xFF) * 587 + (rgb & 0xFF) * 114) / 1000;
                p[y * w + x] = grey / 255f;
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- printing

    /**
     * Runs the chosen methods (attention aside) on one input: the gradient methods on {@code f} at
     * {@code x} (integrated gradients from {@code baseline}) over {@code groups}, the perturbation
     * methods on the coalition model {@code coalitions} gives for each; prints a line per method.
     */
    static List<Attribution> attribute(Set<Method> chosen, ScoreModel f, float[] x, float[] baseline, FeatureGroups groups,
                                       java.util.function.Function<Method, CoalitionModel> coalitions, int target,
                                       int steps, int samples, long seed, List<String> values, PrintWriter pw) {
        List<Attribution> out = new ArrayList<>();
        for (Method method : chosen) {
            long start = System.nanoTime();
            Attribution a = switch (method) {
                case IG -> new IntegratedGradients(steps, IntegratedGradients.Rule.GAUSS_LEGENDRE, 16)
                        .explain(f, x, baseline, groups, target);
                case GRADXINPUT -> GradientTimesInput.explain(f, x, groups, target);
                case SALIENCY -> Saliency.explain(f, x, groups, target);
                case OCCLUSION -> Occlusion.explain(coalitions.apply(method));
                case LIME -> new Lime(samples, 0.25, 1, seed).explain(coalitions.apply(method));
                case SHAP -> new KernelShap(samples, seed).explain(coalitions.apply(method));
                case ATTENTION -> null;
            };
            if (a != null) {
                out.add(a);
                print(pw, a, values, start);
            }
        }
        return out;
    }

    /** The method, its time, its five largest attributions and its check, on one line. */
    static void print(PrintWriter pw, Attribution a, List<String> values, long startNanos) {
        StringBuilder s = new StringBuilder();
        int[] order = a.ranking();
        for (int k = 0; k < Math.min(5, order.length); k++) {
            int i = order[k];
            String name = a.features().get(i);
            if (values != null) {
                name += "=" + values.get(i);
            }
            s.append(String.format(Locale.ROOT, "  %s %+.4f", quote(name), a.values()[i]));
        }
        String check = "";
        if (a.checks().containsKey("completeness_delta")) {
            check = String.format(Locale.ROOT, " (completeness gap %.2g)", a.checks().get("completeness_delta"));
        } else if (a.checks().containsKey("r2")) {
            check = String.format(Locale.ROOT, " (fit R² %.3f)", a.checks().get("r2"));
        }
        pw.printf(Locale.ROOT, "%-21s%6.1f s %s%s%n", a.method() + ":", (System.nanoTime() - startNanos) / 1e9, s, check);
    }

    private static String quote(String token) {
        return "'" + token.replace("\n", "\\n") + "'";
    }
}
