package dev.hearth.lab.tune;

import java.util.List;

/**
 * One searched setting. Samplers work on an internal number per parameter: the value itself for
 * float and int parameters (its logarithm when {@code log}), the index of the choice for a
 * categorical one; {@link #toValue} turns it back into the value the setting gets.
 */
public sealed interface Param {

    /** The setting's key, as for {@code hearth train --set} (e.g. {@code lr}, {@code model.layers}). */
    String name();

    /** The value for internal number {@code x}: rounded to the step, clamped to the range. */
    Object toValue(double x);

    /** The internal number of a value this parameter produced (or one read back from study.json). */
    double toInternal(Object value);

    /**
     * A real number, uniform or log-uniform in [low, high], on a grid of {@code step} from low when step is set.
     *
     * @param points for the grid sampler: how many evenly (log-evenly) spaced values to try (0 = not given)
     */
    record FloatParam(String name, double low, double high, boolean log, Double step, int points) implements Param {
        public double lowInternal() {
            return log ? Math.log(low) : low;
        }

        public double highInternal() {
            return log ? Math.log(high) : high;
        }

        @Override
        public Object toValue(double x) {
            double v = log ? Math.exp(x) : x;
            if (step != null) {
                v = low + Math.round((v - low) / step) * step;
                v = Math.min(v, low + Math.floor((high - low) / step + 1e-9) * step);
            }
            return Math.max(low, Math.min(high, v));
        }

        @Override
        public double toInternal(Object value) {
            double v = ((Number) value).doubleValue();
            return log ? Math.log(v) : v;
        }
    }

    /** A whole number in [low, high] in steps of {@code step} from low, or log-uniform when {@code log}. */
    record IntParam(String name, long low, long high, long step, boolean log) implements Param {
        /** The highest value on the grid. */
        public long top() {
            return low + (high - low) / step * step;
        }

        /** Internal bounds, widened by half a step so the end values are as likely as the others. */
        public double lowInternal() {
            return log ? Math.log(low - 0.5) : low - 0.5 * step;
        }

        public double highInternal() {
            return log ? Math.log(top() + 0.5) : top() + 0.5 * step;
        }

        @Override
        public Object toValue(double x) {
            double v = log ? Math.exp(x) : x;
            long k = Math.round((v - low) / step);
            return Math.max(low, Math.min(top(), low + k * step));
        }

        @Override
        public double toInternal(Object value) {
            long v = ((Number) value).longValue();
            return log ? Math.log(v) : v;
        }
    }

    /** One of a list of values (numbers, text or booleans). */
    record CategoricalParam(String name, List<Object> choices) implements Param {
        @Override
        public Object toValue(double x) {
            int i = (int) Math.round(x);
            return choices.get(Math.max(0, Math.min(choices.size() - 1, i)));
        }

        @Override
        public double toInternal(Object value) {
            for (int i = 0; i < choices.size(); i++) {
                if (same(choices.get(i), value)) {
                    return i;
                }
            }
            throw new TuneException("'" + name + "': " + value + " is not one of its choices " + choices);
        }

        private static boolean same(Object a, Object b) {
            if (a instanceof Number x && b instanceof Number y) {
                return x.doubleValue() == y.doubleValue();
            }
            return a.equals(b);
        }
    }
}
