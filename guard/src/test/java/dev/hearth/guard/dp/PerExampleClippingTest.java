package dev.hearth.guard.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.models.CnnClassifier;
import dev.hearth.engine.models.Gpt;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.nn.Activation;
import dev.hearth.engine.nn.Conv2d;
import dev.hearth.engine.nn.Flatten;
import dev.hearth.engine.nn.Layer;
import dev.hearth.engine.nn.LayerNorm;
import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.nn.Lstm;
import dev.hearth.engine.nn.Module;
import dev.hearth.engine.nn.Sequential;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The vectorised per-example norms and clipped sums against the reference: each example's gradient from a
 * backward pass over that example alone.
 */
class PerExampleClippingTest {

    /** One batch and how to compute its loss, or any one example's loss alone. */
    private interface Task {
        int examples();

        /** {logits, loss} of the whole batch: the mean of the per-example losses. */
        Tensor[] batch();

        /** The loss of example i, from a forward pass over it alone. */
        Tensor single(int i);
    }

    private static float[] gradients(Module model) {
        int n = 0;
        for (Tensor p : model.parameters().values()) {
            n += p.numel();
        }
        float[] g = new float[n];
        int at = 0;
        for (Tensor p : model.parameters().values()) {
            if (p.grad() != null) {
                float[] d = p.grad().contiguous().toFloatArray();
                System.arraycopy(d, 0, g, at, d.length);
            }
            at += p.numel();
        }
        return g;
    }

    private static double norm(float[] g) {
        double s = 0;
        for (float v : g) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    /** Checks norms and the clipped sum against one-at-a-time backward passes, with C at the median norm. */
    private static void checkAgainstOneAtATime(Module model, Task task) {
        int n = task.examples();
        float[][] single = new float[n][];
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            model.zeroGrad();
            task.single(i).backward();
            single[i] = gradients(model);
            norms[i] = norm(single[i]);
        }
        double[] sorted = norms.clone();
        Arrays.sort(sorted);
        double clip = sorted[n / 2];
        float[] expected = new float[single[0].length];
        for (int i = 0; i < n; i++) {
            double f = Math.min(1, clip / norms[i]);
            for (int k = 0; k < expected.length; k++) {
                expected[k] += (float) (f * single[i][k]);
            }
        }

        model.zeroGrad();
        Tensor[] batch = task.batch();
        PerExampleClipping clipping = new PerExampleClipping(model.parameters(), clip);
        PerExampleClipping.Result r = clipping.backward(batch[1], batch[0], n);
        for (int i = 0; i < n; i++) {
            assertThat(r.norms()[i]).as("norm of example %d", i).isCloseTo(norms[i], within(2e-4 * norms[i] + 1e-6));
        }
        assertThat(r.clipped()).isBetween(n / 2 - 1, n - n / 2);
        float[] got = gradients(model);
        double scale = norm(expected);
        for (int k = 0; k < got.length; k++) {
            assertThat((double) got[k]).as("clipped sum, coordinate %d", k)
                    .isCloseTo(expected[k], within(2e-4 * scale + 1e-6));
        }
        assertThat(norm(got)).isCloseTo(scale, within(1e-4 * scale));
    }

    private static Tensor images(Rng rng, int n, int c, int h, int w) {
        return Tensor.randn(rng, 1f, n, c, h, w);
    }

    private static Tensor slice(Tensor x, int i) {
        return x.narrow(0, i, 1).contiguous();
    }

    private static int[] labels(Rng rng, int n, int classes) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(classes);
        }
        return y;
    }

    private static Task classifier(Layer model, Tensor x, int[] y) {
        return new Task() {
            public int examples() {
                return y.length;
            }

            public Tensor[] batch() {
                Tensor logits = model.forward(x);
                return new Tensor[] {logits, Losses.crossEntropy(logits, y)};
            }

            public Tensor single(int i) {
                return Losses.crossEntropy(model.forward(slice(x, i)), new int[] {y[i]});
            }
        };
    }

    @Test
    void theConvNetMatchesOneExampleAtATime() {
        Rng rng = new Rng(1);
        CnnClassifier model = new CnnClassifier(new CnnClassifier.Config(2, 20, 20, 5, 3, 4, 4, 3, 6), rng);
        checkAgainstOneAtATime(model, classifier(model, images(rng, 7, 2, 20, 20), labels(rng, 7, 5)));
    }

    @Test
    void stridedPaddedConvolutionsTakeTheGramRoute() {
        Rng rng = new Rng(2);
        // 8 channels in, 32 out, 3x3, stride 2, padding 1 on 8x8: 16 pixels, so L (O + P) < O P.
        Sequential model = new Sequential(new Conv2d(8, 32, 3, 2, 1, true, rng), new Activation(Activation.Kind.RELU),
                new Conv2d(32, 4, 3, 1, 0, false, rng), new Flatten(), Linear.withFanInInit(16, 3, true, rng));
        checkAgainstOneAtATime(model, classifier(model, images(rng, 6, 8, 8, 8), labels(rng, 6, 3)));
    }

    /** Linear layers over sequences, a LayerNorm, mean-pooled: both the direct and the Gram route. */
    private static final class SequenceModel extends Layer {
        private final Linear wide;
        private final LayerNorm norm;
        private final Linear narrow;

        SequenceModel(Rng rng) {
            wide = child("wide", Linear.withFanInInit(32, 32, true, rng));   // T (in + out) < in out: Gram
            norm = child("norm", new LayerNorm(32));
            narrow = child("narrow", Linear.withFanInInit(32, 3, true, rng)); // direct
        }

        @Override
        public Tensor forward(Tensor x) { // (N, T, 32) -> (N, 3)
            return narrow.forward(norm.forward(wide.forward(x).tanh())).mean(1, false);
        }
    }

    @Test
    void sequencesAndLayerNormMatchOneExampleAtATime() {
        Rng rng = new Rng(3);
        SequenceModel model = new SequenceModel(rng);
        Tensor x = Tensor.randn(rng, 1f, 5, 4, 32);
        checkAgainstOneAtATime(model, classifier(model, x, labels(rng, 5, 3)));
    }

    private static Task languageModel(LanguageModel model, int n, int t, Rng rng) {
        int[] ids = new int[n * t];
        int[] targets = new int[n * t];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = rng.nextInt(Math.min(6, model.vocabSize())); // few distinct tokens: repeats in each sequence
            targets[k] = rng.nextInt(model.vocabSize());
        }
        IntFunction<int[]> part = i -> Arrays.copyOfRange(ids, i * t, (i + 1) * t);
        return new Task() {
            public int examples() {
                return n;
            }

            public Tensor[] batch() {
                Tensor logits = model.forward(ids, n, t);
                return new Tensor[] {logits, Losses.crossEntropy(logits, targets)};
            }

            public Tensor single(int i) {
                return Losses.crossEntropy(model.forward(part.apply(i), 1, t), Arrays.copyOfRange(targets, i * t,
                        (i + 1) * t));
            }
        };
    }

    @Test
    void gptWithItsTiedHeadAndSharedPositionTableMatchesOneSequenceAtATime() {
        Rng rng = new Rng(4);
        Gpt model = new Gpt(new Gpt.Config(11, 8, 2, 2, 16, 0f, true), rng);
        checkAgainstOneAtATime(model, languageModel(model, 5, 6, rng));
    }

    @Test
    void llamaWithRmsNormAndAnUntiedHeadMatchesOneSequenceAtATime() {
        Rng rng = new Rng(5);
        Llama model = new Llama(new Llama.Config(13, 8, 2, 2, 1, 16, 24, 10000f, 1e-6f, false, true, false, 0f), rng);
        checkAgainstOneAtATime(model, languageModel(model, 4, 7, rng));
    }

    @Test
    void clippingBoundsEveryExampleAndLeavesSmallOnesAlone() {
        Rng rng = new Rng(6);
        Sequential model = new Sequential(Linear.withFanInInit(10, 4, true, rng));
        Tensor x = Tensor.randn(rng, 1f, 8, 10);
        int[] y = labels(rng, 8, 4);
        Tensor logits = model.forward(x);
        PerExampleClipping.Result huge = new PerExampleClipping(model.parameters(), 1e9)
                .backward(Losses.crossEntropy(logits, y), logits, 8);
        assertThat(huge.clipped()).isZero();
        float[] unclipped = gradients(model);
        model.zeroGrad();
        // Without clipping the sum of per-example gradients is N times the mean loss's gradient.
        Tensor again = model.forward(x);
        Losses.crossEntropy(again, y).backward();
        float[] plain = gradients(model);
        for (int k = 0; k < plain.length; k++) {
            assertThat(unclipped[k]).isCloseTo(8 * plain[k], within(1e-5f));
        }
        model.zeroGrad();
        Tensor l2 = model.forward(x);
        PerExampleClipping.Result tiny = new PerExampleClipping(model.parameters(), 1e-3)
                .backward(Losses.crossEntropy(l2, y), l2, 8);
        assertThat(tiny.clipped()).isEqualTo(8);
        assertThat(norm(gradients(model))).isLessThanOrEqualTo(8 * 1e-3 * (1 + 1e-5));
    }

    @Test
    void anLstmReadsItsWeightsOncePerStepAndStillMatches() {
        // Every time step reads the recurrent weights again: a parameter with many uses, written out per example.
        Rng rng = new Rng(8);
        Lstm lstm = new Lstm(3, 4, 1, rng);
        Tensor x = Tensor.randn(rng, 1f, 4, 5, 3);
        Layer model = new Layer() {
            final Lstm inner = child("lstm", lstm);

            @Override
            public Tensor forward(Tensor in) {
                return inner.forward(in).mean(1, false);
            }
        };
        checkAgainstOneAtATime(model, classifier(model, x, labels(rng, 4, 4)));
    }

    /** Multiplies by a learned vector: an operation per-example clipping does not know. */
    private static final class Scale extends Layer {
        private final Tensor gain = param("gain", Tensor.ones(3));

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(gain);
        }
    }

    @Test
    void refusesParametersItCannotClipAndBadArguments() {
        Rng rng = new Rng(7);
        Scale scale = new Scale();
        Tensor out = scale.forward(Tensor.randn(rng, 1f, 2, 3));
        Tensor loss = out.pow(2).mean();
        assertThatThrownBy(() -> new PerExampleClipping(scale.parameters(), 1.0).backward(loss, out, 2))
                .isInstanceOf(DpException.class).hasMessageContaining("cannot compute per-example gradients of gain")
                .hasMessageContaining("'mul'");
        assertThatThrownBy(() -> new PerExampleClipping(scale.parameters(), 0)).hasMessageContaining("clipping norm");
        Sequential model = new Sequential(Linear.withFanInInit(3, 2, true, rng));
        Tensor y = model.forward(Tensor.randn(rng, 1f, 3, 3));
        assertThatThrownBy(() -> new PerExampleClipping(model.parameters(), 1).backward(y.mean(), y, 2))
                .hasMessageContaining("examples apart");
    }
}
