package dev.hearth.lab.tune;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.lab.BuildInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * A hyper-parameter search: trials of an {@link Objective} at parameters a {@link Sampler}
 * chooses, stopped early by a {@link Pruner}, run up to {@code parallel} at a time within a budget
 * of trials and time. Everything is recorded in the study folder's {@code study.json}, rewritten
 * (atomically) whenever a trial starts, reports or ends, so a study cut by a crash, a kill or
 * Ctrl-C is reopened with {@link #open} and goes on: finished trials are kept, and a trial that was
 * cut mid-way is marked failed ("interrupted") and its parameters are run again as a new trial.
 *
 * <p>The trial budget counts every trial of the study except the interrupted ones that are re-run;
 * the time budget stops new trials from starting (running ones finish), as Optuna's timeout does.
 */
public final class Study {

    /** How much to run: the study's total trial count, trials at a time, and wall time for this call (null = none). */
    public record Budget(int trials, int parallel, Duration timeout) {
        public Budget {
            if (trials < 1) {
                throw new TuneException("--trials must be at least 1, got " + trials);
            }
            if (parallel < 1) {
                throw new TuneException("--parallel must be at least 1, got " + parallel);
            }
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                throw new TuneException("--timeout must be positive, got " + timeout);
            }
        }
    }

    /** Told when trials start and end; the CLI prints it. */
    public interface Listener {
        default void onTrialStart(Trial trial) {}

        default void onTrialEnd(Trial trial, Trial best) {}
    }

    /** Why {@link #optimize} returned: "done" (budget or grid used up), "timeout" or "stopped". */
    public record Outcome(String status, List<Trial> trials, Trial best) {}

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;
    private final String id;
    private final StudySpec spec;
    private final SearchSpace space;
    private final JsonNode objective;
    private final String created;
    private Budget budget;
    private final List<Trial> trials = new ArrayList<>();
    private final Deque<Trial> retries = new ArrayDeque<>();
    private final Object lock = new Object();

    private Study(Path dir, String id, StudySpec spec, SearchSpace space, JsonNode objective, String created,
                  Budget budget) {
        this.dir = dir;
        this.id = id;
        this.spec = spec;
        this.space = space;
        this.objective = objective;
        this.created = created;
        this.budget = budget;
    }

    /** A new study in the empty (or new) folder {@code dir}; {@code objective} describes what is tuned, for the record. */
    public static Study create(Path dir, StudySpec spec, SearchSpace space, JsonNode objective, Budget budget) {
        try {
            Files.createDirectories(dir);
            if (Files.exists(dir.resolve("study.json"))) {
                throw new TuneException(dir + " already holds a study: resume it with --resume " + dir.getFileName()
                        + ", or give another --name");
            }
        } catch (IOException e) {
            throw new TuneException("cannot create the study folder " + dir + ": " + e.getMessage(), e);
        }
        spec.newSampler(); // options checked now, not at the first trial
        spec.newPruner();
        Study s = new Study(dir, dir.getFileName().toString(), spec, space, objective, Instant.now().toString(), budget);
        s.save();
        return s;
    }

    /**
     * Reopens the study in {@code dir}: trials that were running when it stopped are marked failed as interrupted
     * and queued to run again. {@code parse} turns the recorded params section back into a space.
     */
    public static Study open(Path dir, BiFunction<JsonNode, String, SearchSpace> parse) {
        Path file = dir.resolve("study.json");
        if (!Files.isRegularFile(file)) {
            throw new TuneException("no study at " + dir + " (study.json is missing)");
        }
        try {
            JsonNode root = JSON.readTree(Files.readString(file));
            StudySpec spec = StudySpec.read(root.get("spec"), file.toString());
            SearchSpace space = parse.apply(root.path("spec").get("params"), file.toString());
            JsonNode b = root.path("budget");
            Budget budget = new Budget(b.path("trials").asInt(1), b.path("parallel").asInt(1),
                    b.hasNonNull("timeout_seconds") ? Duration.ofMillis((long) (b.get("timeout_seconds").asDouble() * 1000))
                            : null);
            Study s = new Study(dir, dir.getFileName().toString(), spec, space, root.get("objective"),
                    root.path("created").asText(), budget);
            List<Trial> saved = JSON.convertValue(root.get("trials"), new TypeReference<List<Trial>>() {});
            for (Trial t : saved) {
                if (t.state() == TrialState.RUNNING) {
                    t = t.ended(TrialState.FAIL, null, "interrupted: the study stopped while this trial ran (a crash"
                            + " or a kill); its parameters are run again");
                }
                s.trials.add(t);
            }
            for (Trial t : s.trials) {
                if (interrupted(t) && s.trials.stream().noneMatch(o -> Integer.valueOf(t.number()).equals(o.retryOf()))) {
                    s.retries.add(t);
                }
            }
            s.save();
            return s;
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new TuneException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static boolean interrupted(Trial t) {
        return t.state() == TrialState.FAIL && t.error() != null && t.error().startsWith("interrupted");
    }

    public Path dir() {
        return dir;
    }

    public String id() {
        return id;
    }

    public StudySpec spec() {
        return spec;
    }

    public SearchSpace space() {
        return space;
    }

    public JsonNode objective() {
        return objective;
    }

    public Budget budget() {
        return budget;
    }

    public List<Trial> trials() {
        synchronized (lock) {
            return List.copyOf(trials);
        }
    }

    /** The best complete trial, if any. */
    public Optional<Trial> best() {
        synchronized (lock) {
            return best(new History(trials, spec.maximize()));
        }
    }

    private static Optional<Trial> best(History h) {
        return h.complete().stream().min(Comparator.comparingDouble(t -> h.loss(t.value())));
    }

    /** Runs trials until the budget is spent, the sampler runs out, or {@code stop} says so. */
    public Outcome optimize(Objective fn, Budget newBudget, Listener listener, BooleanSupplier stop) {
        Sampler sampler = spec.newSampler();
        Pruner pruner = spec.newPruner();
        synchronized (lock) {
            budget = newBudget;
            save();
        }
        long deadline = budget.timeout() == null ? Long.MAX_VALUE : System.nanoTime() + budget.timeout().toNanos();
        String status = "done";
        ExecutorService pool = Executors.newFixedThreadPool(budget.parallel(), r -> {
            Thread t = new Thread(r, "hearth-tune-trial");
            t.setDaemon(true);
            return t;
        });
        int[] running = {0};
        try {
            while (true) {
                Trial trial;
                synchronized (lock) {
                    while (running[0] >= budget.parallel() && !stop.getAsBoolean() && System.nanoTime() < deadline) {
                        lock.wait(200);
                    }
                    if (stop.getAsBoolean()) {
                        status = "stopped";
                        break;
                    }
                    if (System.nanoTime() >= deadline) {
                        status = "timeout";
                        break;
                    }
                    long counted = trials.stream().filter(t -> !interrupted(t)).count();
                    History h = new History(trials, spec.maximize());
                    if (counted >= budget.trials() || (retries.isEmpty() && sampler.exhausted(space, h))) {
                        break;
                    }
                    int number = trials.size();
                    Trial retry = retries.poll();
                    Map<String, Object> params = retry != null ? retry.params() : sampler.sample(space, h, number);
                    trial = Trial.started(number, params, retry == null ? null : retry.number());
                    trials.add(trial);
                    running[0]++;
                    save();
                }
                listener.onTrialStart(trial);
                Trial started = trial;
                pool.submit(() -> {
                    try {
                        runTrial(started, fn, pruner, listener, stop);
                    } finally {
                        synchronized (lock) {
                            running[0]--;
                            lock.notifyAll();
                        }
                    }
                });
            }
            synchronized (lock) {
                while (running[0] > 0) {
                    lock.wait(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = "stopped";
        } finally {
            pool.shutdown();
            try {
                pool.awaitTermination(1, TimeUnit.HOURS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            save();
            return new Outcome(status, List.copyOf(trials), best(new History(trials, spec.maximize())).orElse(null));
        }
    }

    private void runTrial(Trial trial, Objective fn, Pruner pruner, Listener listener, BooleanSupplier stop) {
        int number = trial.number();
        boolean[] pruned = {false};
        TrialContext ctx = new TrialContext() {
            @Override
            public int number() {
                return number;
            }

            @Override
            public Map<String, Object> params() {
                return trial.params();
            }

            @Override
            public boolean report(int step, double value) {
                synchronized (lock) {
                    Trial now = update(number, t -> t.withReport(step, value));
                    if (!pruned[0] && pruner.prune(now, new History(trials, spec.maximize()))) {
                        pruned[0] = true;
                    }
                    save();
                    return pruned[0] || stop.getAsBoolean();
                }
            }

            @Override
            public boolean shouldStop() {
                synchronized (lock) {
                    return pruned[0] || stop.getAsBoolean();
                }
            }

            @Override
            public boolean pruned() {
                synchronized (lock) {
                    return pruned[0];
                }
            }

            @Override
            public void attachRun(String runId) {
                synchronized (lock) {
                    update(number, t -> t.withRun(runId));
                    save();
                }
            }
        };
        Trial ended;
        try {
            double value = fn.evaluate(ctx);
            synchronized (lock) {
                ended = Double.isFinite(value) ? find(number).ended(TrialState.COMPLETE, value, null)
                        : find(number).ended(TrialState.FAIL, null, "the objective was " + value
                                + " (not a finite number)");
            }
        } catch (TrialPruned p) {
            synchronized (lock) {
                Trial now = find(number);
                double last = now.lastIntermediate();
                ended = now.ended(TrialState.PRUNED, Double.isNaN(last) ? null : last, null);
            }
        } catch (TrialInterrupted i) {
            synchronized (lock) {
                ended = find(number).ended(TrialState.FAIL, null, "interrupted by a stop request before it finished;"
                        + " --resume runs it again");
            }
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            synchronized (lock) {
                // an error while stopping (e.g. the JVM shutting down under it) is the stop's doing, not the trial's
                ended = find(number).ended(TrialState.FAIL, null, stop.getAsBoolean()
                        ? "interrupted by a stop request (it ended with: " + message + "); --resume runs it again"
                        : message);
            }
        }
        Trial best;
        synchronized (lock) {
            Trial fin = ended;
            update(number, t -> fin);
            save();
            best = best(new History(trials, spec.maximize())).orElse(null);
        }
        listener.onTrialEnd(ended, best);
    }

    private Trial find(int number) {
        return trials.get(number);
    }

    private Trial update(int number, java.util.function.UnaryOperator<Trial> f) {
        Trial t = f.apply(trials.get(number));
        trials.set(number, t);
        return t;
    }

    /** Writes study.json whole (temp file, then an atomic move). Callers hold the lock. */
    private void save() {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("created", created);
        root.put("updated", Instant.now().toString());
        root.put("hearth_version", BuildInfo.version());
        root.set("spec", spec.toJson());
        ObjectNode b = root.putObject("budget");
        b.put("trials", budget.trials());
        b.put("parallel", budget.parallel());
        if (budget.timeout() != null) {
            b.put("timeout_seconds", budget.timeout().toMillis() / 1000.0);
        }
        root.set("objective", objective);
        best(new History(trials, spec.maximize())).ifPresent(t -> {
            ObjectNode best = root.putObject("best");
            best.put("number", t.number());
            best.put("value", t.value());
            best.set("params", JSON.valueToTree(t.params()));
        });
        root.set("trials", JSON.valueToTree(trials));
        Path target = dir.resolve("study.json");
        Path tmp = dir.resolve("study.json.tmp");
        try {
            Files.writeString(tmp, JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TuneException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
