package dev.hearth.lab.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Against scikit-learn's definitions, computed independently in numpy by
 * bench/eval/classification_reference.py --example (the figures below are its output).
 */
class ClassificationMetricsTest {
    static final String Y = "3,2,2,3,2,3,3,0,0,1,1,3,3,0,1,3,0,3,0,1,3,1,1,1,2,1,3,1,1,2,2,2,2,3,3,3,2,2,1,3";
    static final String P = "0.022302,0.111199,0.039605,0.826894;0.397253,0.281714,0.122862,0.198171;0.260067,0.305744,0.264887,0.169302;0.065839,0.078015,0.506051,0.350095;0.142687,0.356939,0.368549,0.131825;0.152721,0.145756,0.040169,0.661354;0.337931,0.018483,0.205080,0.438505;0.193475,0.606094,0.175718,0.024713;0.512780,0.189052,0.087931,0.210238;0.065006,0.606831,0.292811,0.035352;0.223343,0.514021,0.207025,0.055611;0.031257,0.045849,0.137045,0.785850;0.082192,0.139483,0.589625,0.188701;0.305389,0.098245,0.380608,0.215758;0.078464,0.337403,0.084746,0.499387;0.096072,0.108792,0.209706,0.585430;0.652611,0.058218,0.175343,0.113828;0.216112,0.129381,0.065728,0.588779;0.360867,0.323923,0.112503,0.202707;0.039690,0.914780,0.026677,0.018853;0.016528,0.009112,0.026406,0.947953;0.076342,0.421154,0.215368,0.287136;0.102398,0.445565,0.246592,0.205445;0.060488,0.704109,0.176162,0.059242;0.087734,0.028689,0.801537,0.082040;0.237752,0.539635,0.193120,0.029494;0.026164,0.116587,0.009653,0.847596;0.014143,0.774375,0.034807,0.176675;0.116092,0.098160,0.355165,0.430583;0.158875,0.129025,0.648107,0.063993;0.361812,0.070081,0.513550,0.054557;0.030687,0.015993,0.904124,0.049196;0.398064,0.153548,0.339097,0.109290;0.102224,0.180432,0.122993,0.594352;0.030661,0.054311,0.636272,0.278756;0.050644,0.203616,0.593587,0.152153;0.193333,0.126581,0.183446,0.496640;0.170214,0.187156,0.368039,0.274591;0.114467,0.762556,0.064801,0.058176;0.377345,0.059771,0.132862,0.430022";

    static int[] y() {
        return Arrays.stream(Y.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static double[][] p() {
        return Arrays.stream(P.split(";")).map(r -> Arrays.stream(r.split(",")).mapToDouble(Double::parseDouble).toArray())
                .toArray(double[][]::new);
    }

    @Test
    void multiclassMatchesTheNumpyReference() {
        ClassificationMetrics m = ClassificationMetrics.of(y(), p(), List.of("a", "b", "c", "d"), 10);
        assertThat(m.accuracy()).isCloseTo(0.7, within(1e-12));
        assertThat(m.macro().precision()).isCloseTo(0.6832167832167833, within(1e-12));
        assertThat(m.macro().recall()).isCloseTo(0.6831168831168831, within(1e-12));
        assertThat(m.macro().f1()).isCloseTo(0.6825877825877826, within(1e-12));
        assertThat(m.weighted().precision()).isCloseTo(0.7055944055944056, within(1e-12));
        assertThat(m.weighted().recall()).isCloseTo(0.7, within(1e-12));
        assertThat(m.weighted().f1()).isCloseTo(0.7021164021164021, within(1e-12));
        assertThat(m.micro().f1()).isCloseTo(0.7, within(1e-12));
        assertThat(m.rocAuc()).isCloseTo(0.8830082561117044, within(1e-12));
        assertThat(m.logLoss()).isCloseTo(0.8147204875171358, within(1e-12));
        assertThat(m.ece()).isCloseTo(0.11600417499999997, within(1e-12));
        assertThat(m.confusion()).isDeepEqualTo(new long[][] {{3, 1, 1, 0}, {0, 9, 0, 2}, {2, 1, 6, 1}, {0, 0, 4, 10}});
        assertThat(m.reliability().stream().mapToLong(ClassificationMetrics.Bin::count).sum()).isEqualTo(40);
    }

    @Test
    void aucHandlesTiesAsTheTrapezoidDoes() {
        boolean[] pos = {true, false, true, false, true};
        double[] s = {0.9, 0.9, 0.5, 0.1, 0.1};
        // pairs (pos, neg): (0.9,0.9)=0.5, (0.9,0.1)=1, (0.5,0.9)=0, (0.5,0.1)=1, (0.1,0.9)=0, (0.1,0.1)=0.5 -> 3/6
        assertThat(ClassificationMetrics.auc(pos, s)).isCloseTo(0.5, within(1e-12));
        assertThat(ClassificationMetrics.auc(new boolean[] {true, true}, new double[] {0.1, 0.2})).isNaN();
        double[][] roc = ClassificationMetrics.roc(pos, s);
        assertThat(roc[0]).containsExactly(0, 0.5, 0.5, 1);
        assertThat(roc[1][3]).isEqualTo(1.0);
    }

    @Test
    void binaryAucIsTheSecondClassAndPerfectScoresGiveOne() {
        int[] y = {0, 0, 1, 1};
        double[][] p = {{0.9, 0.1}, {0.6, 0.4}, {0.3, 0.7}, {0.2, 0.8}};
        ClassificationMetrics m = ClassificationMetrics.of(y, p, List.of("no", "yes"), 10);
        assertThat(m.rocAuc()).isEqualTo(1.0);
        assertThat(m.accuracy()).isEqualTo(1.0);
        // confidences 0.9, 0.6, 0.7, 0.8, all right: ECE = mean(1 - c) = 0.25
        assertThat(m.ece()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void wrongLengthsAreNamed() {
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {0, 1}, new double[][] {{1, 0}}, List.of("a", "b"), 10))
                .isInstanceOf(EvaluationException.class).hasMessageContaining("2 labels but 1 predictions");
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[] {0}, new double[][] {{1, 0, 0}}, List.of("a", "b"), 10))
                .hasMessageContaining("prediction 1 has 3 class probabilities");
        assertThatThrownBy(() -> ClassificationMetrics.of(new int[0], new double[0][], List.of("a", "b"), 10))
                .hasMessageContaining("no rows");
    }

    @Test
    void bootstrapIsSeededAndBracketsTheEstimate() {
        var o = new ClassificationEvaluation.Options(200, 3, 0.95, 10, 0, 16);
        var a = ClassificationEvaluation.intervals(y(), p(), List.of("a", "b", "c", "d"), o);
        var b = ClassificationEvaluation.intervals(y(), p(), List.of("a", "b", "c", "d"), o);
        assertThat(a.get("accuracy")).containsExactly(b.get("accuracy"));
        assertThat(a.get("accuracy")[0]).isLessThan(0.7);
        assertThat(a.get("accuracy")[1]).isGreaterThan(0.7);
        assertThat(ClassificationEvaluation.quantile(new double[] {1, 2, 3, 4}, 0.5)).isEqualTo(2.5);
    }
}
