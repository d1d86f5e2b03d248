package dev.hearth.lab.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hearth.engine.HearthException;

/**
 * Everything a training run is made of, as read from YAML ({@link TrainConfigReader}) and
 * recorded in the run folder. Keys in YAML are the snake_case forms of these names.
 *
 * @param model           the model's shape
 * @param data            the dataset folder (see {@code hearth data prepare})
 * @param batchSize       sequences per micro-batch
 * @param gradAccum       micro-batches per optimizer step
 * @param maxSteps        optimizer steps
 * @param lr              peak learning rate
 * @param minLr           learning rate at the end of the decay
 * @param warmupSteps     linear warmup steps
 * @param schedule        "cosine", "linear" or "constant"
 * @param weightDecay     AdamW decay, applied to matrices only
 * @param beta1           AdamW beta1
 * @param beta2           AdamW beta2
 * @param gradClip        global gradient-norm limit (0 = none)
 * @param evalEvery       steps between evaluations on the val split (and the last step)
 * @param evalBatches     batches per evaluation
 * @param earlyStop       evaluations without a better val loss before stopping (0 = never)
 * @param checkpointEvery steps between saves of the last checkpoint (0 = only at evaluations and the end)
 * @param seed            fixes initialisation, batches and dropout
 * @param initFrom        a model folder to start from (fine-tuning), or null for fresh weights
 */
public record TrainConfig(ModelSpec model, String data, @JsonProperty("batch_size") int batchSize,
                          @JsonProperty("grad_accum") int gradAccum, @JsonProperty("max_steps") int maxSteps, double lr,
                          @JsonProperty("min_lr") double minLr, @JsonProperty("warmup_steps") int warmupSteps,
                          String schedule, @JsonProperty("weight_decay") double weightDecay, double beta1, double beta2,
                          @JsonProperty("grad_clip") double gradClip, @JsonProperty("eval_every") int evalEvery,
                          @JsonProperty("eval_batches") int evalBatches, @JsonProperty("early_stop") int earlyStop,
                          @JsonProperty("checkpoint_every") int checkpointEvery, long seed,
                          @JsonProperty("init_from") String initFrom) {

    public TrainConfig {
        if (model == null) {
            throw new HearthException("the config needs a model section");
        }
        if (data == null || data.isBlank()) {
            throw new HearthException("the config needs data: a dataset folder made by 'hearth data prepare'");
        }
        require(batchSize >= 1, "batch_size must be at least 1, got " + batchSize);
        require(gradAccum >= 1, "grad_accum must be at least 1, got " + gradAccum);
        require(maxSteps >= 1, "max_steps must be at least 1, got " + maxSteps);
        require(lr > 0 && minLr >= 0 && minLr <= lr, "need 0 <= min_lr <= lr and lr > 0, got lr " + lr + ", min_lr " + minLr);
        require(warmupSteps >= 0 && warmupSteps <= maxSteps, "warmup_steps (" + warmupSteps + ") must be between 0 and"
                + " max_steps (" + maxSteps + "); lower it, e.g. --set warmup_steps=" + maxSteps / 10);
        require("cosine".equals(schedule) || "linear".equals(schedule) || "constant".equals(schedule),
                "schedule must be cosine, linear or constant, got \"" + schedule + "\"");
        require(weightDecay >= 0 && beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1,
                "need weight_decay >= 0 and betas in [0, 1)");
        require(gradClip >= 0, "grad_clip must be >= 0 (0 turns it off), got " + gradClip);
        require(evalEvery >= 1 && evalBatches >= 1, "eval_every and eval_batches must be at least 1");
        require(earlyStop >= 0 && checkpointEvery >= 0, "early_stop and checkpoint_every must be >= 0");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new HearthException(message);
        }
    }

    /** Tokens per optimizer step. */
    public long tokensPerStep() {
        return (long) batchSize * gradAccum * model.context();
    }
}
