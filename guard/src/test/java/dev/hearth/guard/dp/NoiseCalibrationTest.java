package dev.hearth.guard.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.guard.dp.RdpAccountant.Conversion;
import org.junit.jupiter.api.Test;

class NoiseCalibrationTest {

    private static final double Q = 256.0 / 60_000;
    private static final long STEPS = 14_063;

    @Test
    void roundTripsThePublishedFigure() {
        RdpAccountant classic = new RdpAccountant(Conversion.CLASSIC);
        // eps 3.0084 is what sigma 1.1 gives; asking for it must give back 1.1.
        NoiseCalibration.Result r = NoiseCalibration.solve(classic, 3.0083810468337937, 1e-5, Q, STEPS);
        assertThat(r.noiseMultiplier()).isBetween(1.1, 1.1 * (1 + 2e-4));
        assertThat(r.spent().epsilon()).isLessThanOrEqualTo(3.0083810468337937);
    }

    @Test
    void theSigmaFoundIsTheSmallestThatMeetsTheTarget() {
        for (PrivacyAccountant acc : new PrivacyAccountant[] {new RdpAccountant(Conversion.CLASSIC),
                new RdpAccountant(Conversion.BALLE_2020), new PldAccountant()}) {
            for (double target : new double[] {1.0, 8.0}) {
                NoiseCalibration.Result r = NoiseCalibration.solve(acc, target, 1e-5, 0.01, 1000);
                double sigma = r.noiseMultiplier();
                assertThat(acc.epsilon(new SampledGaussian(0.01, sigma, 1000), 1e-5).epsilon()).isLessThanOrEqualTo(target);
                assertThat(acc.epsilon(new SampledGaussian(0.01, sigma * (1 - 3e-4), 1000), 1e-5).epsilon())
                        .as("%s target %s", acc.name(), target).isGreaterThan(target);
                assertThat(r.spent().epsilon()).isLessThanOrEqualTo(target);
            }
        }
    }

    @Test
    void aTighterAccountantNeedsLessNoise() {
        double classic = NoiseCalibration.solve(new RdpAccountant(Conversion.CLASSIC), 3, 1e-5, Q, STEPS)
                .noiseMultiplier();
        double balle = NoiseCalibration.solve(new RdpAccountant(Conversion.BALLE_2020), 3, 1e-5, Q, STEPS)
                .noiseMultiplier();
        double pld = NoiseCalibration.solve(new PldAccountant(), 3, 1e-5, Q, STEPS).noiseMultiplier();
        assertThat(classic).isGreaterThan(balle);
        assertThat(balle).isGreaterThan(pld);
    }

    @Test
    void saysWhenTheTargetIsOutOfReachOrMalformed() {
        RdpAccountant rdp = new RdpAccountant(Conversion.BALLE_2020);
        assertThatThrownBy(() -> NoiseCalibration.solve(rdp, 1e-4, 1e-5, 1, 1_000_000))
                .isInstanceOf(DpException.class).hasMessageContaining("out of reach");
        assertThatThrownBy(() -> NoiseCalibration.solve(rdp, 0, 1e-5, 0.01, 100)).hasMessageContaining("epsilon");
        assertThatThrownBy(() -> NoiseCalibration.solve(rdp, Double.NaN, 1e-5, 0.01, 100))
                .hasMessageContaining("epsilon");
        assertThatThrownBy(() -> NoiseCalibration.solve(rdp, 1, 2, 0.01, 100)).hasMessageContaining("delta");
        assertThatThrownBy(() -> NoiseCalibration.solve(rdp, 1, 1e-5, 0, 100)).hasMessageContaining("sample rate");
        assertThatThrownBy(() -> NoiseCalibration.solve(rdp, 1, 1e-5, 0.01, 0)).hasMessageContaining("steps");
    }
}
