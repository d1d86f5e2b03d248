package dev.hearth.engine.nn;

import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;

/**
 * Zeroes each element with probability p in training mode (scaling survivors by 1/(1-p)); the
 * identity in evaluation mode. Each call draws its mask key from the layer's own seeded Rng;
 * a trainer may {@link #reseed} it every step so that masks depend only on (seed, step) and a
 * resumed run repeats them exactly.
 */
public final class Dropout extends Layer {
    private final float p;
    private Rng rng;

    public Dropout(float p, Rng rng) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.rng = rng;
    }

    /** Restarts the mask stream from {@code key}. */
    public void reseed(long key) {
        this.rng = new Rng(key);
    }

    /** Whether {@link #forward} returns its input as it is: in evaluation mode, or with p = 0. */
    public boolean isIdentity() {
        return !isTraining() || p == 0;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (isIdentity()) {
            return x;
        }
        return dev.hearth.engine.ops.Dropout.apply(x, p, rng.nextLong());
    }
}
