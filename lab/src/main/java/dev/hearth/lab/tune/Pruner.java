package dev.hearth.lab.tune;

/**
 * Decides, after a trial reports an intermediate value, whether to stop it early. The trial passed
 * in already holds the new value; the history holds every trial of the study, running ones too.
 */
public interface Pruner {

    /** The name recorded in study.json: none, median or asha. */
    String name();

    boolean prune(Trial trial, History history);

    /** Never prunes. */
    record None() implements Pruner {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public boolean prune(Trial trial, History history) {
            return false;
        }
    }
}
