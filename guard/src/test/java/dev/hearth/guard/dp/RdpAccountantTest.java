package dev.hearth.guard.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.HearthException;
import dev.hearth.guard.dp.RdpAccountant.Conversion;
import java.util.List;
import org.junit.jupiter.api.Test;

class RdpAccountantTest {

    /** MNIST in TF Privacy's and Opacus's examples: batches of 256 from 60,000, 60 epochs. */
    private static final double Q = 256.0 / 60_000;
    private static final long STEPS = 14_063;

    private static final RdpAccountant CLASSIC = new RdpAccountant(Conversion.CLASSIC);
    private static final RdpAccountant BALLE = new RdpAccountant(Conversion.BALLE_2020);

    @Test
    void matchesThePublishedMnistFiguresWithTheClassicConversion() {
        PrivacySpent s11 = CLASSIC.epsilon(new SampledGaussian(Q, 1.1, STEPS), 1e-5);
        PrivacySpent s112 = CLASSIC.epsilon(new SampledGaussian(Q, 1.12, STEPS), 1e-5);
        assertThat(s11.epsilon()).isCloseTo(3.01, within(0.005));
        assertThat(s112.epsilon()).isCloseTo(2.92, within(0.005));
        // The same by numerical integration of A_alpha at 40 digits (mpmath.quad over the mixture's density,
        // not the series), minimised over the same orders: 3.0083810468 at alpha 8.8 and 2.9223453963 at 9.1.
        assertThat(s11.epsilon()).isCloseTo(3.0083810468337937, within(1e-9));
        assertThat(s11.order()).hasValue(8.8);
        assertThat(s112.epsilon()).isCloseTo(2.922345396278004, within(1e-9));
        assertThat(s112.order()).hasValue(9.1);
        assertThat(s11.orderAtEdge()).isFalse();
        assertThat(s11.method()).contains("classic");
    }

    @Test
    void theConversionOfBalleEtAlIsTighter() {
        PrivacySpent classic = CLASSIC.epsilon(new SampledGaussian(Q, 1.1, STEPS), 1e-5);
        PrivacySpent balle = BALLE.epsilon(new SampledGaussian(Q, 1.1, STEPS), 1e-5);
        // mpmath reference as above with eps = rdp + log1p(-1/a) - log(delta*a)/(a-1): 2.5966555287 at alpha 8.1.
        assertThat(balle.epsilon()).isCloseTo(2.596655528680917, within(1e-9)).isLessThan(classic.epsilon());
        assertThat(balle.order()).hasValue(8.1);
        assertThat(BALLE.epsilon(new SampledGaussian(Q, 1.12, STEPS), 1e-5).epsilon())
                .isCloseTo(2.5186864790934766, within(1e-9));
        assertThat(balle.method()).contains("Balle");
    }

    @Test
    void oneStepMatchesNumericalIntegrationAtIntegerAndFractionalOrders() {
        // log(A_alpha)/(alpha-1) with A_alpha = integral of N(0,s^2)(z) ((1-q) + q exp((2z-1)/(2s^2)))^alpha dz by
        // mpmath.quad at 40 digits (see docs/differential-privacy.md, "How the figures were checked").
        double[][] cases = {
            {Q, 1.1, 2, 2.3395776009949162e-05},
            {Q, 1.1, 8.8, 0.00010896430075952503},
            {Q, 1.1, 32, 7.590188346210109},
            {0.01, 0.8, 1.5, 0.00027331070004038853},
            {0.01, 0.8, 3.7, 0.000815839168450469},
            {0.1, 2.0, 20, 0.18831361344655928},
            {0.5, 1.0, 2.5, 0.5105603809236317},
        };
        for (double[] c : cases) {
            assertThat(RdpAccountant.rdp(c[0], c[1], c[2])).as("q=%s sigma=%s alpha=%s", c[0], c[1], c[2])
                    .isCloseTo(c[3], within(1e-9 * c[3]));
        }
    }

    @Test
    void withoutSubsamplingItIsTheGaussianMechanism() {
        for (double sigma : new double[] {0.5, 1, 3.7}) {
            for (double alpha : new double[] {1.5, 2, 10, 40}) {
                assertThat(RdpAccountant.rdp(1.0, sigma, alpha)).isEqualTo(alpha / (2 * sigma * sigma));
            }
        }
        // And the series approaches it as q -> 1.
        assertThat(RdpAccountant.rdp(1 - 1e-9, 1.3, 7)).isCloseTo(7 / (2 * 1.3 * 1.3), within(1e-6));
        assertThat(RdpAccountant.rdp(1 - 1e-9, 1.3, 7.5)).isCloseTo(7.5 / (2 * 1.3 * 1.3), within(1e-6));
    }

    @Test
    void theFractionalSeriesAgreesWithTheIntegerSumNearIntegers() {
        for (double[] qs : new double[][] {{0.001, 0.7}, {0.01, 1.0}, {0.2, 2.0}, {0.5, 0.6}}) {
            for (int a = 2; a <= 40; a += 7) {
                double exact = RdpAccountant.rdp(qs[0], qs[1], a);
                double near = RdpAccountant.rdp(qs[0], qs[1], a + 1e-7);
                assertThat(near).as("q=%s sigma=%s alpha=%d", qs[0], qs[1], a).isCloseTo(exact, within(1e-5 * exact));
            }
        }
    }

    @Test
    void epsilonFallsWithNoiseAndDeltaAndRisesWithStepsAndSampleRate() {
        double prev = Double.POSITIVE_INFINITY;
        for (double sigma = 0.6; sigma < 5; sigma += 0.2) {
            double eps = CLASSIC.epsilon(new SampledGaussian(Q, sigma, STEPS), 1e-5).epsilon();
            assertThat(eps).isLessThan(prev);
            prev = eps;
        }
        double e1 = BALLE.epsilon(new SampledGaussian(Q, 1.0, 1000), 1e-5).epsilon();
        assertThat(BALLE.epsilon(new SampledGaussian(Q, 1.0, 2000), 1e-5).epsilon()).isGreaterThan(e1);
        assertThat(BALLE.epsilon(new SampledGaussian(2 * Q, 1.0, 1000), 1e-5).epsilon()).isGreaterThan(e1);
        assertThat(BALLE.epsilon(new SampledGaussian(Q, 1.0, 1000), 1e-3).epsilon()).isLessThan(e1);
    }

    @Test
    void phasesCompose() {
        SampledGaussian a = new SampledGaussian(Q, 1.1, 5000);
        SampledGaussian b = new SampledGaussian(2 * Q, 1.5, 3000);
        double[] both = CLASSIC.rdp(List.of(a, b));
        double[] ra = CLASSIC.rdp(List.of(a));
        double[] rb = CLASSIC.rdp(List.of(b));
        for (int i = 0; i < both.length; i++) {
            assertThat(both[i]).isCloseTo(ra[i] + rb[i], within(1e-12 * both[i]));
        }
        double split = CLASSIC.epsilon(List.of(new SampledGaussian(Q, 1.1, 7000), new SampledGaussian(Q, 1.1, 7063)),
                1e-5).epsilon();
        assertThat(split).isCloseTo(CLASSIC.epsilon(new SampledGaussian(Q, 1.1, STEPS), 1e-5).epsilon(),
                within(1e-9));
    }

    @Test
    void saysWhenTheBestOrderIsAtTheEdgeOfTheList() {
        // Very little noise spent over few steps at a loose delta wants a small order; a lot of noise a large one.
        PrivacySpent s = CLASSIC.epsilon(new SampledGaussian(0.001, 20, 10), 1e-5);
        assertThat(s.orderAtEdge()).isTrue();
        assertThat(s.order()).hasValue(63.0);
    }

    @Test
    void rejectsBadInputWithMessagesThatSayWhatToDo() {
        assertThatThrownBy(() -> new SampledGaussian(0, 1, 10)).isInstanceOf(DpException.class)
                .isInstanceOf(HearthException.class).hasMessageContaining("sample rate");
        assertThatThrownBy(() -> new SampledGaussian(1.5, 1, 10)).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> new SampledGaussian(Double.NaN, 1, 10)).isInstanceOf(DpException.class);
        assertThatThrownBy(() -> new SampledGaussian(0.1, 0, 10)).hasMessageContaining("noise multiplier");
        assertThatThrownBy(() -> new SampledGaussian(0.1, -1, 10)).hasMessageContaining("noise multiplier");
        assertThatThrownBy(() -> new SampledGaussian(0.1, 1, 0)).hasMessageContaining("steps");
        assertThatThrownBy(() -> CLASSIC.epsilon(new SampledGaussian(0.1, 1, 10), 0)).hasMessageContaining("delta");
        assertThatThrownBy(() -> CLASSIC.epsilon(new SampledGaussian(0.1, 1, 10), 1)).hasMessageContaining("delta");
        assertThatThrownBy(() -> CLASSIC.epsilon(List.of(), 1e-5)).hasMessageContaining("at least one phase");
        assertThatThrownBy(() -> new RdpAccountant(List.of(1.0, 2.0), Conversion.CLASSIC))
                .hasMessageContaining("> 1");
        assertThatThrownBy(() -> RdpAccountant.rdp(0.1, 1, 0.5)).hasMessageContaining("> 1");
    }
}
