package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.models.CnnClassifier;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.guard.dp.DpSgd;
import dev.hearth.guard.dp.PldAccountant;
import dev.hearth.guard.dp.PrivacyAccountant;
import dev.hearth.guard.dp.PrivacySpent;
import dev.hearth.guard.dp.RdpAccountant;
import dev.hearth.lab.RunFolder;
import dev.hearth.lab.Workspace;
import dev.hearth.lab.data.ImageSet;
import dev.hearth.lab.data.Mnist;
import dev.hearth.lab.data.SyntheticDigits;
import dev.hearth.lab.train.ClassifierTraining;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code hearth demo digits}: the engine on its own. Trains the MNIST conv net, evaluates it,
 * saves it as safetensors in a run folder and reloads it.
 */
@Command(name = "digits", mixinStandardHelpOptions = true,
        description = {"Train a convolutional network on handwritten digits with Hearth's engine, evaluate it,",
            "save it as a safetensors checkpoint in the workspace and load it back.",
            "Uses MNIST from ../shared/data (or --data) when present, else synthetic seven-segment digits."})
final class DigitsDemoCommand implements Callable<Integer> {

    @ParentCommand
    DemoCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder holding " + Mnist.TEST_IMAGES + " and " + Mnist.TEST_LABELS
                    + " (default: $HEARTH_DATA, then ../shared/data).")
    Path data;

    @Option(names = "--synthetic", description = "Train on synthetic digits even when MNIST is present.")
    boolean synthetic;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training images (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--train-images", paramLabel = "N",
            description = "Use only the first N training images (default: all 8,000).")
    Integer trainImages;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dp-epsilon", paramLabel = "E",
            description = "Train with DP-SGD to (E, --dp-delta)-differential privacy: the noise is solved for.")
    Double dpEpsilon;

    @Option(names = "--dp-noise", paramLabel = "SIGMA",
            description = "Train with DP-SGD at this noise multiplier and report the epsilon it spends.")
    Double dpNoise;

    @Option(names = "--dp-delta", defaultValue = "1e-5", paramLabel = "D",
            description = "Delta of the privacy guarantee (default: ${DEFAULT-VALUE}).")
    double dpDelta;

    @Option(names = "--dp-clip", defaultValue = "1.0", paramLabel = "C",
            description = "Per-example gradient norm limit for DP-SGD (default: ${DEFAULT-VALUE}).")
    double dpClip;

    @Option(names = "--dp-accountant", defaultValue = "pld", paramLabel = "pld|rdp",
            description = "Privacy accountant: pld (default, tightest) or rdp (Balle et al. 2020 conversion).")
    DpCommand.Accountant dpAccountant;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long cpuStart = processCpuNanos();
        long wallStart = System.nanoTime();
        Workspace ws = Workspace.resolve(parent.parent.home);

        ImageSet[] split = loadData(out);
        ImageSet train = split[0];
        if (trainImages != null) {
            if (trainImages < 1 || trainImages > train.count()) {
                throw new HearthException("--train-images must be between 1 and " + train.count() + ", got "
                        + trainImages);
            }
            train = train.range(train.name(), 0, trainImages);
        }
        ImageSet test = split[1];
        CnnClassifier.Config config = new CnnClassifier.Config(1, train.height(), train.width(), train.classes(),
                32, 64, 64, 3, 64);
        CnnClassifier model = new CnnClassifier(config, new Rng(seed));
        out.printf("model:   CnnClassifier conv 32-64-64 (3x3), dense 64 -> %d classes, %,d parameters%n",
                config.classes(), model.parameterCount());
        out.printf("compute: %d thread(s), Java %s, Vector API %d-bit%n", ComputePool.shared().threads(),
                Runtime.version().feature(), jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());

        RunFolder run = ws.newRun("digits");
        Map<String, Object> runConfig = new LinkedHashMap<>();
        runConfig.put("job", "demo: image classifier");
        runConfig.put("model", config);
        runConfig.put("train", train.name() + " (" + train.count() + " images)");
        runConfig.put("test", test.name() + " (" + test.count() + " images)");
        runConfig.put("epochs", epochs);
        runConfig.put("batch_size", batch);
        runConfig.put("learning_rate", lr);
        runConfig.put("optimizer", "adam");
        runConfig.put("seed", seed);
        runConfig.put("threads", ComputePool.shared().threads());

        ClassifierTraining.Config tc = new ClassifierTraining.Config(epochs, batch, lr, seed);
        ClassifierTraining training = new ClassifierTraining(tc);
        DpSgd dp = privacyPlan(training, train, model, out);
        if (dp != null) {
            DpSgd.Plan p = dp.plan();
            Map<String, Object> privacy = new LinkedHashMap<>();
            privacy.put("target_epsilon", Double.isNaN(p.targetEpsilon()) ? null : p.targetEpsilon());
            privacy.put("delta", p.delta());
            privacy.put("noise_multiplier", p.noiseMultiplier());
            privacy.put("clip_norm", p.clipNorm());
            privacy.put("sample_rate", p.sampleRate());
            privacy.put("steps", p.steps());
            privacy.put("accountant", accountant().name());
            runConfig.put("privacy", privacy);
        }
        run.writeJson("config.json", runConfig);
        Progress progress = new Progress(out, batch);
        ClassifierTraining.Listener listener = new ClassifierTraining.Listener() {
                    @Override
                    public void onStep(int epoch, int step, int steps, double loss) {
                        progress.step(epoch, epochs, step, steps, loss);
                        if (step % 50 == 0 || step == steps) {
                            run.appendMetrics(Map.of("epoch", epoch, "step", step, "loss", loss));
                        }
                    }

                    @Override
                    public void onEpoch(ClassifierTraining.EpochResult r) {
                        progress.done();
                        String spent = Double.isNaN(r.epsilon()) ? ""
                                : String.format(", epsilon %.3f spent", r.epsilon());
                        out.printf("epoch %d/%d: train loss %.4f, test accuracy %.2f%%%s (%.1f s)%n", r.epoch(), epochs,
                                r.trainLoss(), 100 * r.testAccuracy(), spent, r.seconds());
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("epoch", r.epoch());
                        line.put("train_loss", r.trainLoss());
                        line.put("test_accuracy", r.testAccuracy());
                        line.put("seconds", r.seconds());
                        if (!Double.isNaN(r.epsilon())) {
                            line.put("dp_epsilon", r.epsilon());
                        }
                        run.appendMetrics(line);
                    }
                };
        ClassifierTraining.Result result = dp == null ? training.run(model, train, test, listener)
                : training.runPrivately(model, train, test, dp, accountant(), listener);

        Path checkpoint = run.resolve("model.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "hearth");
        meta.put("architecture", "CnnClassifier");
        meta.put("config", config.toString());
        meta.put("test_accuracy", Double.toString(result.testAccuracy()));
        if (dp != null) {
            PrivacySpent spent = dp.spent(accountant());
            meta.put("dp_epsilon", Double.toString(spent.epsilon()));
            meta.put("dp_delta", Double.toString(spent.delta()));
            meta.put("dp_noise_multiplier", Double.toString(dp.plan().noiseMultiplier()));
            meta.put("dp_clip_norm", Double.toString(dp.plan().clipNorm()));
        }
        SafeTensors.write(checkpoint, model.parameters(), meta);
        CnnClassifier reloaded = new CnnClassifier(config, new Rng(seed + 1));
        try (SafeTensorsFile f = SafeTensorsFile.open(checkpoint)) {
            reloaded.loadState(f.readAll(), true);
        }
        double again = ClassifierTraining.accuracy(reloaded, test);
        if (again != result.testAccuracy()) {
            throw new HearthException("the reloaded checkpoint scores " + again + " but the trained model scored "
                    + result.testAccuracy() + ": " + checkpoint + " did not round-trip");
        }
        long size = sizeOf(checkpoint);
        out.printf("saved:   %s (%,d bytes); reloaded, test accuracy %.2f%% again%n", checkpoint, size, 100 * again);
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double cpu = (processCpuNanos() - cpuStart) / 1e9;
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("test_accuracy", result.testAccuracy());
        summary.put("train_seconds", result.seconds());
        summary.put("wall_seconds", wall);
        summary.put("cpu_seconds", cpu);
        summary.put("checkpoint", checkpoint.getFileName().toString());
        if (dp != null) {
            PrivacySpent spent = dp.spent(accountant());
            summary.put("dp_epsilon", spent.epsilon());
            summary.put("dp_delta", spent.delta());
            summary.put("dp_accountant", spent.method());
            summary.put("dp_clipped_fraction", dp.clippedFraction());
            out.printf("privacy: (epsilon %.3f, delta %s) spent over %,d steps; %.0f%% of per-example gradients were"
                    + " clipped%n", spent.epsilon(), DpCommand.number(spent.delta()), dp.stepsTaken(),
                    100 * dp.clippedFraction());
        }
        run.writeJson("result.json", summary);
        out.printf("done:    test accuracy %.2f%% in %.1f s wall, %.1f s CPU; run folder %s%n", 100 * result.testAccuracy(),
                wall, cpu, run.dir());
        return 0;
    }

    private PrivacyAccountant accountant() {
        return dpAccountant == DpCommand.Accountant.rdp ? new RdpAccountant(RdpAccountant.Conversion.BALLE_2020)
                : new PldAccountant();
    }

    /** The DP-SGD run asked for by --dp-epsilon or --dp-noise, or null for ordinary training. */
    private DpSgd privacyPlan(ClassifierTraining training, ImageSet train, CnnClassifier model, PrintWriter out) {
        if (dpEpsilon == null && dpNoise == null) {
            return null;
        }
        if (dpEpsilon != null && dpNoise != null) {
            throw new HearthException("give --dp-epsilon (the noise is solved for) or --dp-noise (the epsilon is"
                    + " reported), not both");
        }
        long steps = training.privateSteps(train.count());
        DpSgd.Plan plan = dpEpsilon != null
                ? DpSgd.Plan.solve(dpEpsilon, dpDelta, dpClip, train.count(), batch, steps, accountant())
                : DpSgd.Plan.withNoise(dpNoise, dpDelta, dpClip, train.count(), batch, steps);
        out.printf("privacy: DP-SGD, noise multiplier %.4f%s, clipping norm %s, Poisson batches of %d on average"
                + " (sample rate %s), %,d steps; delta %s%n", plan.noiseMultiplier(),
                dpEpsilon != null ? String.format(" (solved for epsilon %s, %s accountant)",
                        DpCommand.number(dpEpsilon), accountant().name()) : "", DpCommand.number(dpClip), batch,
                DpCommand.number(plan.sampleRate()), steps, DpCommand.number(dpDelta));
        return new DpSgd(plan, model.parameters());
    }

    /** MNIST (first 8,000 to train, last 2,000 to test) when found, else synthetic digits. */
    private ImageSet[] loadData(PrintWriter out) {
        Path dir = synthetic ? null : findMnist();
        if (dir != null) {
            ImageSet all = Mnist.read("mnist-t10k", dir.resolve(Mnist.TEST_IMAGES), dir.resolve(Mnist.TEST_LABELS));
            int trainCount = all.count() * 4 / 5;
            out.printf("data:    MNIST from %s: first %,d images to train, last %,d to test%n", dir, trainCount,
                    all.count() - trainCount);
            return new ImageSet[] {all.range("mnist-train", 0, trainCount),
                all.range("mnist-test", trainCount, all.count())};
        }
        if (!synthetic) {
            out.println("data:    MNIST not found (looked in --data, $HEARTH_DATA, ../shared/data);"
                    + " using synthetic seven-segment digits");
        }
        out.println("data:    8,000 synthetic digits to train, 2,000 to test");
        return new ImageSet[] {SyntheticDigits.generate("synthetic-train", 8000, seed),
            SyntheticDigits.generate("synthetic-test", 2000, seed + 1)};
    }

    private Path findMnist() {
        List<Path> candidates = new ArrayList<>();
        if (data != null) {
            if (!Files.isRegularFile(data.resolve(Mnist.TEST_IMAGES))) {
                throw new HearthException("--data " + data + " does not hold " + Mnist.TEST_IMAGES);
            }
            return data;
        }
        String env = System.getenv("HEARTH_DATA");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        String root = System.getProperty("hearth.root");
        if (root != null) {
            candidates.add(Path.of(root).resolve("../shared/data").normalize());
        }
        candidates.add(Path.of("../shared/data"));
        for (Path p : candidates) {
            if (Files.isRegularFile(p.resolve(Mnist.TEST_IMAGES)) && Files.isRegularFile(p.resolve(Mnist.TEST_LABELS))) {
                return p.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }
}
