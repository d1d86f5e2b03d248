package dev.hearth.lab.compress;

import dev.hearth.engine.nn.Linear;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.optim.Adam;
import dev.hearth.engine.optim.AdamW;
import dev.hearth.engine.optim.GradientClipping;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.lab.data.TokenSplit;
import java.util.BitSet;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * A short fine-tune of a pruned model to win back some of the loss, with the training step of
 * {@code hearth train} (AdamW, gradient clipping at 1, random windows of the train split, next-token
 * cross-entropy), no weight decay and a constant learning rate. After unstructured or 2:4 pruning
 * the pruned weights are set back to exactly zero after every optimizer step, so the mask (and the
 * sparsity) holds; a structurally pruned model simply trains in its new, smaller shape.
 */
final class PruneFineTune {
    private PruneFineTune() {}

    /** The mean loss of the first and the last step. */
    record FineTuneLoss(double first, double last) {}

    static FineTuneLoss run(LanguageModel model, Map<String, Linear> layers, Map<String, BitSet> masks, TokenSplit train,
                       int steps, int batch, double lr, long seed, IntConsumer onStep) {
        int context = model.contextLength();
        if (train.size() < context + 1) {
            throw new PruningException("the fine-tune data's train split holds " + train.size() + " tokens, fewer than"
                    + " context + 1 = " + (context + 1) + "; prepare more data");
        }
        AdamW optimizer = new AdamW(model.parameters(), lr, new Adam.Config(0.9, 0.95, 1e-8, 0.0));
        Rng rng = new Rng(seed);
        int[] window = new int[context + 1];
        double first = Double.NaN;
        double last = Double.NaN;
        model.train(true);
        try {
            for (int step = 0; step < steps; step++) {
                int[] ids = new int[batch * context];
                int[] targets = new int[batch * context];
                for (int b = 0; b < batch; b++) {
                    train.read(rng.nextLong(train.size() - context), window, 0, context + 1);
                    System.arraycopy(window, 0, ids, b * context, context);
                    System.arraycopy(window, 1, targets, b * context, context);
                }
                Tensor loss = Losses.crossEntropy(model.forward(ids, batch, context), targets);
                loss.backward();
                GradientClipping.clipGlobalNorm(model.parameters().values(), 1.0);
                optimizer.step();
                optimizer.zeroGrad();
                if (masks != null) {
                    UnstructuredPruning.apply(layers, masks);
                }
                last = loss.item();
                if (step == 0) {
                    first = last;
                }
                if (!Double.isFinite(last)) {
                    throw new PruningException("the fine-tune's loss became " + last + " at step " + (step + 1)
                            + "; lower --finetune-lr (now " + lr + ")");
                }
                onStep.accept(step + 1);
            }
        } finally {
            model.eval();
        }
        return new FineTuneLoss(first, last);
    }
}
