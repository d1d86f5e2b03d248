package dev.hearth.lab.card;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * A result file a model card quotes, recognised by its content: a perplexity evaluation
 * ({@code hearth eval ppl --json}), the demo's held-out evaluation, a classification report
 * ({@code hearth eval classify}), a fairness report, CrowS-Pairs scores, template-probe gaps,
 * or an explanation.
 */
public record Evidence(Kind kind, Path file, JsonNode json) {

    public enum Kind { PERPLEXITY, HELD_OUT, CLASSIFICATION, FAIRNESS, CROWS_PAIRS, PROBES, EXPLANATION }

    /** Recognises the file's kind, or says what the recognised kinds look like. */
    public static Evidence of(Path file) {
        JsonNode j = Lineage.readJson(file);
        if (j == null) {
            throw new CardException("evidence file " + file + " does not exist");
        }
        Kind k;
        if (j.has("perplexity") && j.has("bits_per_byte")) {
            k = Kind.PERPLEXITY;
        } else if (j.has("held_out")) {
            k = Kind.HELD_OUT;
        } else if (j.has("demographic_parity_difference")) {
            k = Kind.FAIRNESS;
        } else if (j.has("overall") && j.has("by_type")) {
            k = Kind.CROWS_PAIRS;
        } else if (j.path("sets").isArray() && j.path("sets").path(0).has("meanGap")) {
            k = Kind.PROBES;
        } else if (j.has("attributions")) {
            k = Kind.EXPLANATION;
        } else if (j.has("sets") && j.path("sets").isObject() || j.has("accuracy")) {
            k = Kind.CLASSIFICATION;
        } else {
            throw new CardException(file + " is not a result Hearth knows: give the JSON of 'hearth eval ppl --json',"
                    + " 'hearth eval classify', 'hearth fairness report', 'hearth bias crows-pairs --out',"
                    + " 'hearth bias probes --out' or 'hearth explain'");
        }
        return new Evidence(k, file, j);
    }
}
