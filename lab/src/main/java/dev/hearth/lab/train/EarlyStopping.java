package dev.hearth.lab.train;

import dev.hearth.engine.nn.Module;
import dev.hearth.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * Ends an epoch: its result (mean training loss, validation loss and accuracy, seconds since
     * {@code startNanos}) goes to {@code epochs} and the listener, and the validation loss to
     * {@link #stop}, whose answer it returns.
     */
    boolean endEpoch(int epoch, double trainLoss, double[] validation, long startNanos,
                     List<TabularTraining.EpochResult> epochs, TabularTraining.Listener listener) {
        TabularTraining.EpochResult r = new TabularTraining.EpochResult(epoch, trainLoss, validation[0],
                validation[1], (System.nanoTime() - startNanos) / 1e9);
        epochs.add(r);
        listener.onEpoch(r);
        return stop(epoch, validation[0]);
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

    /**
     * One optimizer step on {@code loss} (backward, step, zero the gradients), returning its value;
     * a loss that is not finite stops training with an error naming the epoch.
     */
    static double step(dev.hearth.engine.tensor.Tensor loss, dev.hearth.engine.optim.Optimizer opt, int epoch) {
        loss.backward();
        opt.step();
        opt.zeroGrad();
        double l = loss.item();
        if (!Double.isFinite(l)) {
            throw new dev.hearth.engine.HearthException("the training loss became " + l + " in epoch " + epoch
                    + "; lower the learning rate");
        }
        return l;
    }
}
