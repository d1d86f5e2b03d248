package dev.hearth.lab.eval;

import dev.hearth.engine.HearthException;

/** An evaluation cannot run as asked: predictions of the wrong length, an empty set, a label the model does not know. */
public class EvaluationException extends HearthException {
    public EvaluationException(String message) {
        super(message);
    }
}
