package dev.hearth.lab.train;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.lab.data.TokenSplit;

/**
 * Random windows of a token split, as nanoGPT draws them: each row of a batch is
 * {@code context + 1} consecutive tokens starting at a uniformly random position; the first
 * {@code context} are the input, the last {@code context} the targets.
 */
final class BatchSampler {
    private final TokenSplit split;
    private final int batch;
    private final int context;
    private final int[] window;

    /** A batch: ids and targets, {@code batch * context} each, row-major. */
    record Batch(int[] ids, int[] targets) {}

    BatchSampler(TokenSplit split, String name, int batch, int context) {
        if (split.size() < context + 1) {
            throw new HearthException("the " + name + " split holds " + split.size() + " tokens, fewer than context + 1 = "
                    + (context + 1) + ": prepare more data (or a larger " + name + " fraction), or train with a shorter"
                    + " context");
        }
        this.split = split;
        this.batch = batch;
        this.context = context;
        this.window = new int[context + 1];
    }

    Batch next(Rng rng) {
        int[] ids = new int[batch * context];
        int[] targets = new int[batch * context];
        long positions = split.size() - context;
        for (int b = 0; b < batch; b++) {
            split.read(rng.nextLong(positions), window, 0, context + 1);
            System.arraycopy(window, 0, ids, b * context, context);
            System.arraycopy(window, 1, targets, b * context, context);
        }
        return new Batch(ids, targets);
    }
}
