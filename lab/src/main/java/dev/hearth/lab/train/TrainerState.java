package dev.hearth.lab.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Where a run stands, saved with every checkpoint so it resumes exactly: the step reached, the
 * batch sampler's random state (the data position), the best validation loss so far and the
 * early-stopping count. The learning rate follows from the step; dropout masks from the seed and
 * the step; the optimizer's buffers are saved beside this file.
 */
public record TrainerState(int step, @JsonProperty("tokens_seen") long tokensSeen,
                           @JsonProperty("data_rng") List<Long> dataRng, @JsonProperty("best_val_loss") double bestValLoss,
                           @JsonProperty("best_step") int bestStep,
                           @JsonProperty("evals_without_improvement") int evalsWithoutImprovement,
                           @JsonProperty("last_val_loss") double lastValLoss,
                           @JsonProperty("elapsed_seconds") double elapsedSeconds,
                           @JsonProperty("config_sha256") String configSha256) {}
