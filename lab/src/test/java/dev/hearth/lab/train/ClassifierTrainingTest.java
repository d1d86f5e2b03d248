package dev.hearth.lab.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.engine.models.CnnClassifier;
import dev.hearth.engine.tensor.Rng;
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
}
