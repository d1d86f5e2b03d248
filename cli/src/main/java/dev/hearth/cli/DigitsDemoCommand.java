package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.io.SafeTensorsFile;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.engine.models.CnnClassifier;
import dev.hearth.engine.tensor.Rng;
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
        run.writeJson("config.json", runConfig);

        ClassifierTraining.Config tc = new ClassifierTraining.Config(epochs, batch, lr, seed);
        Progress progress = new Progress(out, batch);
        ClassifierTraining.Result result = new ClassifierTraining(tc).run(model, train, test,
                new ClassifierTraining.Listener() {
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
                        out.printf("epoch %d/%d: train loss %.4f, test accuracy %.2f%% (%.1f s)%n", r.epoch(), epochs,
                                r.trainLoss(), 100 * r.testAccuracy(), r.seconds());
                        run.appendMetrics(Map.of("epoch", r.epoch(), "train_loss", r.trainLoss(),
                                "test_accuracy", r.testAccuracy(), "seconds", r.seconds()));
                    }
                });

        Path checkpoint = run.resolve("model.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "hearth");
        meta.put("architecture", "CnnClassifier");
        meta.put("config", config.toString());
        meta.put("test_accuracy", Double.toString(result.testAccuracy()));
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
        run.writeJson("result.json", Map.of("test_accuracy", result.testAccuracy(), "train_seconds", result.seconds(),
                "wall_seconds", wall, "cpu_seconds", cpu, "checkpoint", checkpoint.getFileName().toString()));
        out.printf("done:    test accuracy %.2f%% in %.1f s wall, %.1f s CPU; run folder %s%n", 100 * result.testAccuracy(),
                wall, cpu, run.dir());
        return 0;
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
