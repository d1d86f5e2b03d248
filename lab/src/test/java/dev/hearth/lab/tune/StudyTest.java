package dev.hearth.lab.tune;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyTest {
    static final String SPACE = """
            x: {type: float, low: -5, high: 10}
            y: {type: float, low: 0, high: 15}
            """;

    private static Study create(Path dir, String sampler, String pruner, int trials) {
        StudySpec spec = StudySpec.read(Spaces.yaml("sampler: " + sampler + "\npruner: " + pruner + "\nseed: 4\nparams:\n"
                + SPACE.indent(2)), "test");
        return Study.create(dir, spec, SearchSpace.free(spec.params(), "test"), Study.JSON.createObjectNode(),
                new Study.Budget(trials, 1, null));
    }

    /** Branin, reported as a curve that falls to it over 5 steps; counts evaluations per parameters. */
    static final class Branin implements Objective {
        final Map<Map<String, Object>, Integer> calls = new ConcurrentHashMap<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();

        @Override
        public double evaluate(TrialContext trial) throws Exception {
            calls.merge(trial.params(), 1, Integer::sum);
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                double v = SamplerTest.BRANIN.applyAsDouble(trial.params());
                if ((Double) trial.params().get("x") > 9) {
                    throw new IllegalStateException("diverged at x > 9");
                }
                for (int step = 1; step <= 5; step++) {
                    Thread.sleep(2);
                    if (trial.report(step * 10, v + 10.0 / step)) {
                        if (trial.pruned()) {
                            throw new TrialPruned();
                        }
                        throw new TrialInterrupted();
                    }
                }
                return v;
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public String configFor(Map<String, Object> params) {
            return "x: " + params.get("x") + "\ny: " + params.get("y") + "\n";
        }
    }

    @Test
    void runsTrialsInParallelRecordsFailuresAndWritesTheReport(@TempDir Path dir) throws Exception {
        Study study = create(dir.resolve("s"), "tpe", "median", 30);
        Branin f = new Branin();
        Study.Outcome out = study.optimize(f, new Study.Budget(30, 3, null), new Study.Listener() {}, () -> false);
        assertThat(out.status()).isEqualTo("done");
        assertThat(out.trials()).hasSize(30);
        assertThat(f.mostAtOnce.get()).isBetween(2, 3);
        assertThat(out.trials()).allSatisfy(t -> assertThat(t.state()).isNotEqualTo(TrialState.RUNNING));
        List<Trial> failed = out.trials().stream().filter(t -> t.state() == TrialState.FAIL).toList();
        assertThat(failed).allSatisfy(t -> assertThat(t.error()).contains("diverged"));
        List<Trial> pruned = out.trials().stream().filter(t -> t.state() == TrialState.PRUNED).toList();
        assertThat(pruned).isNotEmpty().allSatisfy(t -> assertThat(t.value()).isEqualTo(t.lastIntermediate()));
        assertThat(pruned).anySatisfy(t -> assertThat(t.lastStep()).as("stopped before its last step").isLessThan(50));
        assertThat(out.best().state()).isEqualTo(TrialState.COMPLETE);
        assertThat(out.best().value()).isEqualTo(out.trials().stream().filter(t -> t.state() == TrialState.COMPLETE)
                .mapToDouble(Trial::value).min().orElseThrow());

        StudyReport.Written w = StudyReport.write(study, f);
        for (String file : List.of("report.html", "history.svg", "importance.svg", "intermediate.svg", "slice-x.svg",
                "best.yaml")) {
            assertThat(dir.resolve("s").resolve(file)).isNotEmptyFile();
        }
        assertThat(Files.readString(w.html())).contains("trial " + out.best().number(), "pruned", "diverged",
                "permutation");
        assertThat(w.importance()).containsOnlyKeys("x", "y");
        assertThat(Files.readString(w.bestConfig())).contains("x: " + out.best().params().get("x"));

        // study.json holds everything, and reopening it changes nothing
        Study again = Study.open(dir.resolve("s"), SearchSpace::free);
        assertThat(again.trials()).isEqualTo(out.trials());
        assertThat(again.best()).contains(out.best());
    }

    @Test
    void aStoppedStudyResumesWithoutRepeatingFinishedTrialsAndRerunsTheCutOne(@TempDir Path dir) {
        Study study = create(dir.resolve("s"), "random", "none", 12);
        Branin f = new Branin();
        AtomicBoolean stop = new AtomicBoolean();
        Objective stopsAtTrial5 = trial -> {
            if (trial.number() == 5) {
                stop.set(true); // Ctrl-C while trial 5 runs
            }
            return f.evaluate(trial);
        };
        Study.Outcome first = study.optimize(stopsAtTrial5, new Study.Budget(12, 1, null), new Study.Listener() {},
                stop::get);
        assertThat(first.status()).isEqualTo("stopped");
        assertThat(first.trials()).hasSize(6);
        Trial cut = first.trials().get(5);
        assertThat(cut.state()).isEqualTo(TrialState.FAIL);
        assertThat(cut.error()).startsWith("interrupted");

        Study resumed = Study.open(dir.resolve("s"), SearchSpace::free);
        Study.Outcome second = resumed.optimize(f, new Study.Budget(12, 1, null), new Study.Listener() {}, () -> false);
        assertThat(second.status()).isEqualTo("done");
        assertThat(second.trials()).hasSize(13); // 12 counted + the interrupted one
        Trial retry = second.trials().get(6);
        assertThat(retry.retryOf()).isEqualTo(5);
        assertThat(retry.params()).isEqualTo(cut.params());
        assertThat(f.calls.get(cut.params())).as("the cut trial ran again").isEqualTo(2);
        assertThat(f.calls.entrySet()).filteredOn(e -> !e.getKey().equals(cut.params()))
                .allSatisfy(e -> assertThat(e.getValue()).as("no finished trial repeated").isOne());
        assertThat(second.trials().subList(0, 5)).isEqualTo(first.trials().subList(0, 5));
    }

    @Test
    void aTrialLeftRunningByACrashIsMarkedAndRunAgain(@TempDir Path dir) throws Exception {
        Study study = create(dir.resolve("s"), "tpe", "none", 4);
        study.optimize(new Branin(), new Study.Budget(4, 1, null), new Study.Listener() {}, () -> false);
        // what a kill -9 during trial 3 leaves: its record still says running
        Path file = dir.resolve("s/study.json");
        ObjectNode root = (ObjectNode) Study.JSON.readTree(Files.readString(file));
        ObjectNode t3 = (ObjectNode) root.get("trials").get(3);
        t3.put("state", "RUNNING");
        t3.remove("value");
        Files.writeString(file, Study.JSON.writeValueAsString(root));
        Study reopened = Study.open(dir.resolve("s"), SearchSpace::free);
        assertThat(reopened.trials().get(3).state()).isEqualTo(TrialState.FAIL);
        assertThat(reopened.trials().get(3).error()).contains("interrupted", "crash");
        Study.Outcome out = reopened.optimize(new Branin(), new Study.Budget(6, 1, null), new Study.Listener() {},
                () -> false);
        assertThat(out.trials()).hasSize(7);
        assertThat(out.trials().get(4).retryOf()).isEqualTo(3);
        assertThat(out.trials().get(4).params()).isEqualTo(out.trials().get(3).params());
        assertThat(out.trials().get(4).state()).isEqualTo(TrialState.COMPLETE);
    }

    @Test
    void theTimeBudgetStopsNewTrials(@TempDir Path dir) {
        Study study = create(dir.resolve("s"), "random", "none", 1000);
        Objective slow = trial -> {
            Thread.sleep(50);
            return 1.0;
        };
        Study.Outcome out = study.optimize(slow, new Study.Budget(1000, 2, Duration.ofMillis(400)),
                new Study.Listener() {}, () -> false);
        assertThat(out.status()).isEqualTo("timeout");
        assertThat(out.trials().size()).isBetween(2, 40);
        assertThat(out.trials()).allSatisfy(t -> assertThat(t.state()).isEqualTo(TrialState.COMPLETE));
    }

    @Test
    void aGridStudyEndsWhenTheGridIsDone(@TempDir Path dir) {
        StudySpec spec = StudySpec.read(Spaces.yaml("sampler: grid\nparams:\n  a: {type: int, low: 1, high: 3}\n"
                + "  b: {type: categorical, choices: [u, v]}\n"), "test");
        Study study = Study.create(dir.resolve("g"), spec, SearchSpace.free(spec.params(), "test"),
                Study.JSON.createObjectNode(), new Study.Budget(100, 2, null));
        Study.Outcome out = study.optimize(t -> ((Number) t.params().get("a")).doubleValue(),
                new Study.Budget(100, 2, null), new Study.Listener() {}, () -> false);
        assertThat(out.trials()).hasSize(6);
        assertThat(out.best().value()).isEqualTo(1.0);
    }
}
