package dev.hearth.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.tensor.Rng;
import java.util.function.DoubleUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class FloatMathTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private interface VectorFn {
        FloatVector apply(FloatVector v);
    }

    private interface ScalarFn {
        float apply(float v);
    }

    /** Lanes equal the scalar function bit for bit, and both are within tol of the double reference. */
    private static void check(VectorFn vf, ScalarFn sf, DoubleUnaryOperator ref, float lo, float hi, double relTol,
                              double absTol) {
        Rng rng = new Rng(42);
        float[] x = new float[S.length() * 4000];
        for (int i = 0; i < x.length; i++) {
            x[i] = lo + (hi - lo) * rng.nextFloat();
        }
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += S.length()) {
            vf.apply(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        for (int i = 0; i < x.length; i++) {
            float s = sf.apply(x[i]);
            assertThat(Float.floatToIntBits(y[i])).as("lane vs scalar at x=" + x[i]).isEqualTo(Float.floatToIntBits(s));
            double r = ref.applyAsDouble(x[i]);
            assertThat((double) s).as("x=" + x[i]).isCloseTo(r, within(relTol * Math.abs(r) + absTol));
        }
    }

    @Test
    void expIsAccurateAndLaneEqualsScalar() {
        check(FloatMath::exp, FloatMath::exp, StrictMath::exp, -87f, 88f, 3e-7, 0);
        check(FloatMath::exp, FloatMath::exp, StrictMath::exp, -2f, 2f, 3e-7, 0);
        assertThat(FloatMath.exp(0f)).isEqualTo(1f);
        assertThat(FloatMath.exp(100f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(FloatMath.exp(-200f)).isEqualTo(0f);
        assertThat(FloatMath.exp(Float.NaN)).isNaN();
        assertThat(FloatMath.exp(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        float[] special = new float[S.length()];
        special[0] = Float.NaN;
        special[1] = Float.POSITIVE_INFINITY;
        special[2] = Float.NEGATIVE_INFINITY;
        float[] out = new float[S.length()];
        FloatMath.exp(FloatVector.fromArray(S, special, 0)).intoArray(out, 0);
        assertThat(out[0]).isNaN();
        assertThat(out[1]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(out[2]).isEqualTo(0f);
    }

    @Test
    void tanhIsAccurateAndLaneEqualsScalar() {
        check(FloatMath::tanh, FloatMath::tanh, StrictMath::tanh, -10f, 10f, 3e-7, 1e-8);
        check(FloatMath::tanh, FloatMath::tanh, StrictMath::tanh, -0.7f, 0.7f, 3e-7, 0);
        assertThat(FloatMath.tanh(50f)).isEqualTo(1f);
        assertThat(FloatMath.tanh(-50f)).isEqualTo(-1f);
    }

    @Test
    void erfIsAccurateAndLaneEqualsScalar() {
        check(FloatMath::erf, FloatMath::erf, Erf::erf, -5f, 5f, 0, 2.5e-7);
        check(FloatMath::erf, FloatMath::erf, Erf::erf, -0.99f, 0.99f, 3e-7, 0);
    }

    @Test
    void sumLanesAddsInOrder() {
        float[] v = new float[S.length()];
        v[0] = 1e8f;
        v[1] = 1f;
        v[S.length() - 1] = -1e8f;
        // ((1e8 + 1) + 0 ...) - 1e8 = 0 in float, whereas pairwise orders could give 1.
        assertThat(FloatMath.sumLanes(FloatVector.fromArray(S, v, 0))).isEqualTo(0f);
    }
}
