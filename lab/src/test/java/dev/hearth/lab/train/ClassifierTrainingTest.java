package dev.hearth.lab.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.models.CnnClassifier;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.guard.dp.DpSgd;
import dev.hearth.guard.dp.PldAccountant;
import dev.hearth.lab.data.ImageSet;
import dev.hearth.lab.data.SyntheticDigits;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierTrainingTest {

    @Test
    void aSmallConvNetLearnsSyntheticDigits() {
        ImageSet train = SyntheticDigits.generate("train", 1200, 1);
        ImageSet test = SyntheticDigits.generate("test", 300, 2);
        CnnClassifier model = new CnnClassifier(new CnnClassifier.Config(1, 28, 28, 10, 8, 16, 16, 3, 32), new Rng(5));
        double before = ClassifierTraining.accuracy(model, test);
        List<Double> losses = new ArrayList<>();
        ClassifierTraining.Result r = new ClassifierTraining(new ClassifierTraining.Config(2, 32, 3e-3, 9))
                .run(model, train, test, new ClassifierTraining.Listener() {
                    @Override
                    public void onStep(int epoch, int step, int steps, double loss) {
                        losses.add(loss);
                    }
                });
        assertThat(before).isLessThan(0.3);
        assertThat(r.testAccuracy()).isGreaterThan(0.7);
        assertThat(r.epochs()).hasSize(2);
        double early = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double late = losses.subList(losses.size() - 5, losses.size()).stream().mapToDouble(Double::doubleValue)
                .average().orElseThrow();
        assertThat(late).isLessThan(early / 2);
    }

    @Test
    void privateTrainingStillLearnsAndStaysWithinItsBudget() {
        ImageSet train = SyntheticDigits.generate("train", 1200, 1);
        ImageSet test = SyntheticDigits.generate("test", 300, 2);
        CnnClassifier model = new CnnClassifier(new CnnClassifier.Config(1, 28, 28, 10, 8, 16, 16, 3, 32), new Rng(5));
        // DP-SGD wants larger batches and a larger learning rate than plain training.
        ClassifierTraining training = new ClassifierTraining(new ClassifierTraining.Config(6, 100, 1e-2, 9));
        long steps = training.privateSteps(train.count());
        assertThat(steps).isEqualTo(6 * 12);
        PldAccountant pld = new PldAccountant();
        DpSgd dp = new DpSgd(DpSgd.Plan.solve(8.0, 1e-5, 1.0, train.count(), 100, steps, pld), model.parameters());
        List<ClassifierTraining.EpochResult> epochs = new ArrayList<>();
        ClassifierTraining.Result r = training.runPrivately(model, train, test, dp, pld, new ClassifierTraining.Listener() {
            @Override
            public void onEpoch(ClassifierTraining.EpochResult e) {
                epochs.add(e);
            }
        });
        assertThat(dp.stepsTaken()).isEqualTo(steps);
        assertThat(epochs).hasSize(6);
        assertThat(epochs.get(0).epsilon()).isLessThan(epochs.get(1).epsilon());
        assertThat(epochs.get(5).epsilon()).isLessThanOrEqualTo(8.0).isGreaterThan(7.9);
        assertThat(r.testAccuracy()).isGreaterThan(0.4); // about 0.68 in trials; chance is 0.1
        assertThat(dp.clippedFraction()).isGreaterThan(0.5);
    }
}
