package dev.hearth.lab.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.models.Gpt;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.ops.SoftTargets;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.lab.RunFolder;
import dev.hearth.lab.card.Lineage;
import dev.hearth.lab.data.Sha256;
import dev.hearth.lab.data.TokenDataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Knowledge distillation (Hinton et al., 2015; DistilBERT, Sanh et al., 2019): a student language model learns
 * from a teacher's softened next-token distributions as well as from the data's next tokens. The teacher only runs
 * forward, without a graph; the student trains in an ordinary {@link LanguageModelTraining} run (same loop, run
 * folder, checkpoints, metrics and resume), with {@link DistillationSettings}'s loss in place of plain
 * cross-entropy. Evaluation measures the student's cross-entropy on the val split, as for any run.
 *
 * <p>The student reads the dataset's tokens, so the teacher's tokenizer must be the dataset's one: same kind,
 * same vocabulary, the same token at every id. The student may start from the teacher (DistilBERT style): the
 * embeddings, the final norm and the head copied, and student block i from teacher block i·k, k = teacher
 * layers / student layers; that needs the same architecture and widths.
 */
public final class Distillation {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BLOCK = Pattern.compile("^(layers|h)\\.(\\d+)\\.(.+)$");
    static final String SETTINGS_FILE = "distillation.json";

    /** A loaded teacher: its folder, model and tokenizer, and the digest of its config and weights. */
    public record Teacher(Path folder, LanguageModel model, Tokenizer tokenizer, String sha256) {

        /** The teacher's shape as {@code model.*} training settings, the starting point of a student's shape. */
        public Map<String, String> shapeSettings() {
            ModelSpec s = shape(model);
            Map<String, String> m = new LinkedHashMap<>();
            m.put("model.arch", s.arch());
            m.put("model.layers", Integer.toString(s.layers()));
            m.put("model.heads", Integer.toString(s.heads()));
            m.put("model.kv_heads", Integer.toString(s.kvHeads()));
            m.put("model.dim", Integer.toString(s.dim()));
            m.put("model.hidden", Integer.toString(s.hidden()));
            m.put("model.context", Integer.toString(s.context()));
            m.put("model.rope_theta", Float.toString(s.ropeTheta()));
            m.put("model.tied_embeddings", Boolean.toString(s.tiedEmbeddings()));
            m.put("model.bias", Boolean.toString(s.bias()));
            return m;
        }

        public long parameters() {
            return model.parameterCount();
        }
    }

    /** Loads the teacher in {@code folder}; a folder that is not a model folder is an error that says so. */
    public static Teacher loadTeacher(Path folder) {
        Path dir = folder.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new HearthException("the teacher " + folder + " is not a folder: give the model folder of a trained"
                    + " model (config.json, model.safetensors, tokenizer.json), e.g. a run's checkpoints/best");
        }
        ModelFolder.Loaded loaded;
        try {
            loaded = ModelFolder.load(dir);
        } catch (HearthException e) {
            throw new HearthException("the teacher " + folder + " is not a model folder Hearth can load: "
                    + e.getMessage(), e);
        }
        if (loaded.tokenizer() == null) {
            throw new HearthException("the teacher " + folder + " has no tokenizer.json: the student must read the"
                    + " teacher's tokens, so the teacher's tokenizer is needed to check the dataset against it");
        }
        return new Teacher(dir, loaded.model(), loaded.tokenizer(), digest(dir));
    }

    /** The training-config shape of {@code model}: what {@code hearth train} would need to build it again. */
    static ModelSpec shape(LanguageModel model) {
        if (model instanceof Llama l) {
            Llama.Config c = l.config();
            return new ModelSpec("llama", c.layers(), c.heads(), c.kvHeads(), c.dim(), c.hidden(), c.contextLength(), 0f,
                    c.ropeTheta(), c.tiedEmbeddings(), false);
        }
        if (model instanceof Gpt g) {
            Gpt.Config c = g.config();
            return new ModelSpec("gpt", c.layers(), c.heads(), 0, c.dim(), 0, c.contextLength(), 0f, 10000f, true,
                    c.bias());
        }
        throw new HearthException("a " + model.getClass().getSimpleName() + " cannot be a teacher: distillation knows"
                + " the llama and gpt architectures");
    }

    // ------------------------------------------------------------------ a prepared run

    private final TrainConfig config;
    private final DistillationSettings settings;
    private final Teacher teacher;
    private final TokenDataset dataset;
    private final LanguageModel student;
    private final List<String> warnings = new ArrayList<>();
    private final List<String> initialisation = new ArrayList<>();

    private Distillation(TrainConfig config, DistillationSettings settings, Teacher teacher, TokenDataset dataset,
                         LanguageModel student) {
        this.config = config;
        this.settings = settings;
        this.teacher = teacher;
        this.dataset = dataset;
        this.student = student;
    }

    /**
     * Checks the teacher against the dataset and the student's shape ({@code config.model()}), and builds the
     * student (from the teacher when asked). Nothing is written yet.
     */
    public static Distillation prepare(TrainConfig config, DistillationSettings settings, Teacher teacher) {
        if (settings.initFromTeacher() && config.initFrom() != null) {
            throw new HearthException("give the student one starting point: --init-from-teacher or init_from ("
                    + config.initFrom() + "), not both");
        }
        Path data = Path.of(config.data()).toAbsolutePath().normalize();
        TrainConfig c = new TrainConfig(config.model(), data.toString(), config.batchSize(), config.gradAccum(),
                config.maxSteps(), config.lr(), config.minLr(), config.warmupSteps(), config.schedule(),
                config.weightDecay(), config.beta1(), config.beta2(), config.gradClip(), config.evalEvery(),
                config.evalBatches(), config.earlyStop(), config.checkpointEvery(), config.seed(), config.initFrom());
        TokenDataset dataset = TokenDataset.open(data);
        requireSameTokens(teacher, dataset);
        if (c.model().context() > teacher.model().contextLength()) {
            throw new HearthException("the student's context (" + c.model().context() + " tokens) is longer than the"
                    + " teacher's (" + teacher.model().contextLength() + "): the teacher cannot score such windows;"
                    + " give the student a context of at most " + teacher.model().contextLength());
        }
        LanguageModel student = LanguageModelTraining.initialModel(c, dataset.tokenizer().vocabSize());
        DistillationSettings recorded = settings.withTeacher(teacher.folder().toString(), teacher.sha256());
        Distillation d = new Distillation(c, recorded, teacher, dataset, student);
        if (settings.initFromTeacher()) {
            d.initialisation.addAll(initFromTeacher(student, teacher.model()));
        }
        if (student.parameterCount() >= teacher.parameters()) {
            d.warnings.add(String.format("the student (%,d parameters) is not smaller than the teacher (%,d):"
                    + " distillation usually trains a smaller model; check --student-layers/--student-dim",
                    student.parameterCount(), teacher.parameters()));
        }
        return d;
    }

    public long studentParameters() {
        return student.parameterCount();
    }

    public Teacher teacher() {
        return teacher;
    }

    public TrainConfig config() {
        return config;
    }

    public DistillationSettings settings() {
        return settings;
    }

    /** What the caller should know before the run (a student not smaller than its teacher). */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** With --init-from-teacher, which teacher tensors the student starts from ("student layer 1 <- teacher 2"). */
    public List<String> initialisation() {
        return List.copyOf(initialisation);
    }

    /** Trains the student in {@code run}; {@code stopRequested} stops it resumably, as for {@code hearth train}. */
    public LanguageModelTraining.Result train(RunFolder run, LanguageModelTraining.Listener listener,
            BooleanSupplier stopRequested) {
        run.writeJson(SETTINGS_FILE, settings);
        return LanguageModelTraining.start(config, run, listener, stopRequested, null, dataset, student,
                objective(teacher.model(), settings));
    }

    /** Continues an interrupted distillation run from its last checkpoint, with its recorded teacher and loss. */
    public static LanguageModelTraining.Result resume(RunFolder run, LanguageModelTraining.Listener listener,
            BooleanSupplier stopRequested) {
        if (!Files.isRegularFile(run.resolve(SETTINGS_FILE))) {
            throw new HearthException(run.dir() + " is not a distillation run (it has no " + SETTINGS_FILE + "):"
                    + " resume it with 'hearth train --resume'");
        }
        return LanguageModelTraining.resume(run, null, listener, stopRequested);
    }

    /**
     * The loss of a run being resumed: distillation with the recorded teacher when the run folder holds
     * distillation.json, plain language modelling otherwise. The teacher must still be the one the run began with.
     */
    static LanguageModelTraining.Objective objectiveOf(RunFolder run, TokenDataset dataset) {
        Path file = run.resolve(SETTINGS_FILE);
        if (!Files.isRegularFile(file)) {
            return LanguageModelTraining.Objective.LANGUAGE_MODELLING;
        }
        DistillationSettings s;
        try {
            s = JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), DistillationSettings.class);
        } catch (IOException e) {
            throw new HearthException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Teacher teacher = loadTeacher(Path.of(s.teacher()));
        if (s.teacherSha256() != null && !s.teacherSha256().equals(teacher.sha256())) {
            throw new HearthException("the teacher " + s.teacher() + " has changed since the run " + run.id()
                    + " started (its config and weights no longer match the digest in " + file + "): put the"
                    + " original teacher back, or start a new distillation run");
        }
        requireSameTokens(teacher, dataset);
        return objective(teacher.model(), s);
    }

    /** alpha * T² KL(teacher ‖ student) + (1 - alpha) CE(student, labels); the teacher runs without a graph. */
    static LanguageModelTraining.Objective objective(LanguageModel teacher, DistillationSettings s) {
        float t = (float) s.temperature();
        float alpha = (float) s.alpha();
        LanguageModelTraining.Loss loss = (logits, ids, targets, batch, context) -> {
            if (alpha == 0f) {
                return Losses.crossEntropy(logits, targets); // no soft targets: the teacher need not run
            }
            Tensor teacherLogits;
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                teacherLogits = teacher.forward(ids, batch, context);
            }
            Tensor soft = SoftTargets.klDivergence(logits, teacherLogits, t);
            if (alpha == 1f) {
                return soft;
            }
            return soft.scale(alpha).add(Losses.crossEntropy(logits, targets).scale(1f - alpha));
        };
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("distill_teacher", s.teacher());
        if (s.teacherSha256() != null) {
            provenance.put("distill_teacher_sha256", s.teacherSha256());
        }
        provenance.put("distill_temperature", Double.toString(s.temperature()));
        provenance.put("distill_alpha", Double.toString(s.alpha()));
        provenance.put("distill_init_from_teacher", Boolean.toString(s.initFromTeacher()));
        return new LanguageModelTraining.Objective("distill", loss, Map.copyOf(provenance));
    }

    // ------------------------------------------------------------------ checks

    /** The teacher must score the dataset's tokens: same tokenizer kind, size and token at every id. */
    static void requireSameTokens(Teacher teacher, TokenDataset dataset) {
        Tokenizer a = teacher.tokenizer();
        Tokenizer b = dataset.tokenizer();
        String fix = ": prepare the dataset with the teacher's tokenizer (hearth data prepare --tokenizer "
                + teacher.folder().resolve("tokenizer.json") + "), or distil from a teacher trained on this"
                + " tokenizer";
        if (a.getClass() != b.getClass()) {
            throw new HearthException("the teacher and the student have different tokenizers: the teacher's is a "
                    + a.getClass().getSimpleName() + ", the dataset's (which the student reads) a "
                    + b.getClass().getSimpleName() + fix);
        }
        if (a.vocabSize() != b.vocabSize()) {
            throw new HearthException("the teacher and the student have different tokenizers: the teacher's has "
                    + a.vocabSize() + " tokens, the dataset's (which the student reads) " + b.vocabSize() + fix);
        }
        for (int id = 0; id < a.vocabSize(); id++) {
            String x = a.token(id);
            String y = b.token(id);
            if (!java.util.Objects.equals(x, y)) {
                throw new HearthException("the teacher and the student have different tokenizers: token " + id
                        + " is " + quote(x) + " for the teacher but " + quote(y) + " in the dataset's tokenizer" + fix);
            }
        }
        if (!a.specialTokens().equals(b.specialTokens())) {
            throw new HearthException("the teacher and the student have different tokenizers: the special tokens are "
                    + a.specialTokens() + " for the teacher but " + b.specialTokens() + " in the dataset's" + fix);
        }
        if (teacher.model().vocabSize() != b.vocabSize()) {
            throw new HearthException("the teacher's model scores " + teacher.model().vocabSize() + " tokens but its"
                    + " tokenizer (and the dataset's) has " + b.vocabSize() + ": a padded vocabulary cannot be"
                    + " distilled token for token; use a teacher whose output size is its tokenizer's size");
        }
    }

    private static String quote(String s) {
        return s == null ? "absent" : "\"" + s.replace("\n", "\\n") + "\"";
    }

    /**
     * Copies the teacher's embeddings, final norm, head and every k-th block into {@code student}
     * (k = teacher layers / student layers; student block i gets teacher block i·k). Returns what went where.
     */
    static List<String> initFromTeacher(LanguageModel student, LanguageModel teacher) {
        if (!teacher.quantizedParameters().isEmpty()) {
            throw new HearthException("--init-from-teacher copies float weights, but the teacher is quantized:"
                    + " use the float32 model it was quantized from, or drop --init-from-teacher");
        }
        ModelSpec s = shape(student);
        ModelSpec t = shape(teacher);
        if (teacher instanceof Llama l && (l.config().qkvBias() || l.config().outputBias())) {
            throw new HearthException("--init-from-teacher copies whole tensors, but the teacher has attention biases"
                    + " (Qwen2 style) that a student trained here does not: drop --init-from-teacher");
        }
        if (!s.arch().equals(t.arch())) {
            throw new HearthException("--init-from-teacher copies tensors, so the student must have the teacher's"
                    + " architecture: the teacher is " + t.arch() + ", the student " + s.arch()
                    + "; give the student arch " + t.arch() + " or drop --init-from-teacher");
        }
        List<String> differ = new ArrayList<>();
        compare(differ, "dim", s.dim(), t.dim());
        compare(differ, "heads", s.heads(), t.heads());
        compare(differ, "kv_heads", s.kvHeads() == 0 ? s.heads() : s.kvHeads(), t.kvHeads() == 0 ? t.heads()
                : t.kvHeads());
        compare(differ, "hidden", s.hidden(), t.hidden());
        if (s.bias() != t.bias()) {
            differ.add("bias " + s.bias() + " (teacher " + t.bias() + ")");
        }
        if ("gpt".equals(s.arch())) {
            compare(differ, "context (learned positions)", s.context(), t.context());
        }
        if (!differ.isEmpty()) {
            throw new HearthException("--init-from-teacher copies whole tensors, so the student needs the teacher's"
                    + " widths and may differ only in its number of layers, but " + String.join(", ", differ)
                    + ": keep those as the teacher has them, or drop --init-from-teacher to start from random weights");
        }
        if (s.layers() > t.layers()) {
            throw new HearthException("--init-from-teacher gives each student block one teacher block, but the student"
                    + " has " + s.layers() + " layers and the teacher only " + t.layers());
        }
        int k = t.layers() / s.layers();
        Map<String, Tensor> source = teacher.parameters();
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : student.parameters().keySet()) {
            String from = name;
            Matcher m = BLOCK.matcher(name);
            if (m.matches()) {
                from = m.group(1) + "." + Integer.parseInt(m.group(2)) * k + "." + m.group(3);
            } else if (name.equals("lm_head.weight") && !source.containsKey(name)) {
                from = "embed_tokens.weight"; // a tied teacher's head is its embedding
            }
            Tensor tensor = source.get(from);
            if (tensor == null) {
                throw new HearthException("--init-from-teacher: the teacher has no tensor " + from + " for the"
                        + " student's " + name);
            }
            state.put(name, tensor);
        }
        student.loadState(state, true);
        List<String> done = new ArrayList<>();
        done.add("embeddings, final norm and head copied from the teacher");
        for (int i = 0; i < s.layers(); i++) {
            done.add("student block " + i + " <- teacher block " + i * k);
        }
        return done;
    }

    private static void compare(List<String> differ, String what, int student, int teacher) {
        if (student != teacher) {
            differ.add(what + " " + student + " (teacher " + teacher + ")");
        }
    }

    // ------------------------------------------------------------------ the result

    /**
     * Writes the distilled model from {@code checkpoint} (a run's checkpoints/best) to {@code out} as a plain model
     * folder, without the trainer's state, with its lineage (run, data, teacher) in lineage.json. {@code out} must
     * not exist or be empty.
     */
    public static void export(Path checkpoint, Path out) {
        requireEmpty(out);
        ModelFolder.Loaded best = ModelFolder.load(checkpoint);
        Map<String, String> metadata;
        try (SafeTensorsFile f = SafeTensorsFile.open(checkpoint.resolve("model.safetensors"))) {
            metadata = new LinkedHashMap<>(f.metadata());
        }
        metadata.remove("format");
        ModelFolder.save(out, best.model(), best.tokenizer(), best.generation(), metadata, folder -> {
            var lineage = Lineage.of(checkpoint).toJson();
            Files.writeString(folder.resolve("lineage.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(lineage) + "\n", StandardCharsets.UTF_8);
        });
    }

    /** An output folder must be new (or empty), so nothing a user made is overwritten. */
    public static void requireEmpty(Path out) {
        if (Files.isRegularFile(out)) {
            throw new HearthException("--out " + out + " is a file; give a new folder for the distilled model");
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new HearthException("--out " + out + " already holds files; give a new (or empty) folder"
                            + " for the distilled model");
                }
            } catch (IOException e) {
                throw new HearthException("cannot read " + out + ": " + e.getMessage(), e);
            }
        }
    }

    /** SHA-256 over the teacher's config.json and weight files (name and digest of each, in name order). */
    private static String digest(Path dir) {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> {
                String n = p.getFileName().toString();
                return Files.isRegularFile(p) && (n.equals("config.json") || n.endsWith(".safetensors"));
            }).sorted().toList()) {
                sb.append(f.getFileName()).append(' ').append(Sha256.ofFile(f)).append('\n');
            }
        } catch (IOException e) {
            throw new HearthException("cannot read the teacher " + dir + ": " + e.getMessage(), e);
        }
        return LanguageModelTraining.sha256(sb.toString());
    }
}
