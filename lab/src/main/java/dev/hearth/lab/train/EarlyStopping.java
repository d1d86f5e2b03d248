package dev.hearth.lab.train;

import dev.hearth.engine.nn.Module;
import dev.hearth.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Early stopping on the validation loss for epoch-based training: keeps a copy of the weights of
 * the best epoch so far and says when {@code patience} epochs have passed without improving on it.
 */
final class EarlyStopping {
    private final Module model;
    private final int patience;
    private double best = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private int since;
    private Map<String, Tensor> bestState;

    EarlyStopping(Module model, int patience) {
        this.model = model;
        this.patience = patience;
    }

    /** Records an epoch's validation loss; true when training should stop. */
    boolean stop(int epoch, double validationLoss) {
        if (validationLoss < best - 1e-7) {
            best = validationLoss;
            bestEpoch = epoch;
            bestState = new LinkedHashMap<>();
            for (var e : model.parameters().entrySet()) {
                bestState.put(e.getKey(), e.getValue().copy().detach());
            }
            since = 0;
            return false;
        }
        return ++since >= patience;
    }

    /** Puts the best epoch's weights back into the model. */
    void restoreBest() {
        if (bestState != null) {
            model.loadState(bestState, true);
        }
    }

    double bestLoss() {
        return best;
    }

    int bestEpoch() {
        return bestEpoch;
    }
}
