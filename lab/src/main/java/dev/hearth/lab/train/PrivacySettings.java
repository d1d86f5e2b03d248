package dev.hearth.lab.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hearth.engine.HearthException;
import dev.hearth.guard.dp.PldAccountant;
import dev.hearth.guard.dp.PrivacyAccountant;
import dev.hearth.guard.dp.RdpAccountant;

/**
 * How a language-model run is made differentially private (DP-SGD), as asked for and as written to the run's
 * {@code privacy.json}. Each training sequence (a non-overlapping window of context + 1 tokens of the train split)
 * is one example: the guarantee bounds what the model reveals about any one of them.
 *
 * @param targetEpsilon   the epsilon to reach over max_steps (the noise multiplier is solved for), or null
 * @param noiseMultiplier the noise multiplier; given, or filled in once solved for the target
 * @param delta           the delta of the guarantee
 * @param clipNorm        the per-example gradient norm limit C
 * @param accountant      "pld" (tightest) or "rdp" (Renyi DP with the conversion of Balle et al. 2020)
 */
public record PrivacySettings(@JsonProperty("target_epsilon") Double targetEpsilon,
                              @JsonProperty("noise_multiplier") Double noiseMultiplier, double delta,
                              @JsonProperty("clip_norm") double clipNorm, String accountant) {

    public PrivacySettings {
        if (targetEpsilon == null && noiseMultiplier == null) {
            throw new HearthException("private training needs a target epsilon (--dp-epsilon) or a noise multiplier"
                    + " (--dp-noise)");
        }
        if (!"pld".equals(accountant) && !"rdp".equals(accountant)) {
            throw new HearthException("the privacy accountant must be pld or rdp, got \"" + accountant + "\"");
        }
    }

    /** The accountant named by {@link #accountant()}. */
    public PrivacyAccountant privacyAccountant() {
        return "rdp".equals(accountant) ? new RdpAccountant(RdpAccountant.Conversion.BALLE_2020) : new PldAccountant();
    }

    /** The same settings with the noise multiplier that was solved for. */
    PrivacySettings withNoise(double sigma) {
        return new PrivacySettings(targetEpsilon, sigma, delta, clipNorm, accountant);
    }
}
