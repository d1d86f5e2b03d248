package dev.hearth.serve;

import dev.hearth.guard.pii.Anonymizer;
import dev.hearth.guard.pii.EntityType;
import dev.hearth.guard.pii.Finding;
import dev.hearth.guard.pii.PiiAnalyzer;
import dev.hearth.guard.pii.Pseudonyms;
import dev.hearth.guard.pii.ScrubPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The personal-data guardrail on prompts and answers ({@code hearth serve --pii MODE}).
 *
 * <ul>
 *   <li>{@code log}: counts what prompts and answers hold, by type, in
 *       {@code hearth_pii_findings_total{where, type}}; changes nothing.
 *   <li>{@code redact}: as log, and replaces each finding by its type tag ({@code <EMAIL_ADDRESS>})
 *       before the model sees the prompt and before the client sees the answer.
 *   <li>{@code block}: refuses a prompt holding personal data (400, code {@code pii_detected},
 *       naming the types, never the values) and redacts answers.
 * </ul>
 *
 * Streamed answers are redacted as they go: text is held back until no entity could still be
 * forming in it (the last {@value #HOLD_BACK} characters, and any finding reaching into them).
 */
final class PiiGuard {
    static final int HOLD_BACK = 64;

    private final PiiMode mode;
    private final PiiAnalyzer analyzer = PiiAnalyzer.builder().build();
    private final Anonymizer tags = new Anonymizer(ScrubPolicy.defaults(), null, new Pseudonyms());
    private final Map<EntityType, Counter> inPrompts = new EnumMap<>(EntityType.class);
    private final Map<EntityType, Counter> inAnswers = new EnumMap<>(EntityType.class);

    PiiGuard(PiiMode mode, MeterRegistry registry) {
        this.mode = mode;
        for (EntityType t : EntityType.values()) {
            inPrompts.put(t, Counter.builder("hearth_pii_findings").tag("where", "prompt").tag("type", t.name())
                    .description("Personal data found by the --pii guardrail").register(registry));
            inAnswers.put(t, Counter.builder("hearth_pii_findings").tag("where", "answer").tag("type", t.name())
                    .description("Personal data found by the --pii guardrail").register(registry));
        }
    }

    boolean on() {
        return mode != PiiMode.OFF;
    }

    /** The prompt text the model may see; in block mode, refuses one that holds personal data. */
    String prompt(String text, String param) {
        if (mode == PiiMode.OFF) {
            return text;
        }
        List<Finding> found = analyzer.analyze(text);
        count(found, inPrompts);
        if (found.isEmpty() || mode == PiiMode.LOG) {
            return text;
        }
        if (mode == PiiMode.BLOCK) {
            TreeSet<String> types = new TreeSet<>();
            found.forEach(f -> types.add(f.type().name()));
            throw ApiException.invalid(param, "pii_detected", "'" + param + "' holds personal data ("
                    + String.join(", ", types) + "); this server refuses it (--pii block). Remove it, or replace it"
                    + " with a placeholder, and send the request again");
        }
        return tags.anonymize(text, found, null);
    }

    /** A whole answer as the client may see it. */
    String answer(String text) {
        if (mode == PiiMode.OFF) {
            return text;
        }
        List<Finding> found = analyzer.analyze(text);
        count(found, inAnswers);
        return mode == PiiMode.LOG || found.isEmpty() ? text : tags.anonymize(text, found, null);
    }

    /** Redacts one streamed answer piece by piece; one per choice. */
    Stream stream() {
        return new Stream();
    }

    final class Stream {
        private final StringBuilder pending = new StringBuilder();

        /** Takes the next piece of the answer; returns what may be sent now (possibly ""). */
        String push(String delta) {
            if (mode == PiiMode.OFF) {
                return delta;
            }
            pending.append(delta);
            if (pending.length() <= HOLD_BACK) {
                return "";
            }
            String text = pending.toString();
            List<Finding> found = analyzer.analyze(text);
            int safe = text.length() - HOLD_BACK;
            for (Finding f : found) {
                if (f.end() > safe && f.start() < safe) {
                    safe = f.start(); // an entity reaching into the held-back tail is sent whole, later
                }
            }
            if (safe <= 0) {
                return "";
            }
            List<Finding> before = new ArrayList<>();
            for (Finding f : found) {
                if (f.end() <= safe) {
                    before.add(f);
                }
            }
            count(before, inAnswers);
            pending.delete(0, safe);
            String out = text.substring(0, safe);
            return mode == PiiMode.LOG ? out : tags.anonymize(out, before, null);
        }

        /** The rest of the answer, at its end. */
        String finish() {
            if (mode == PiiMode.OFF || pending.isEmpty()) {
                return "";
            }
            String rest = pending.toString();
            pending.setLength(0);
            return answer(rest);
        }
    }

    private static void count(List<Finding> found, Map<EntityType, Counter> counters) {
        for (Finding f : found) {
            counters.get(f.type()).increment();
        }
    }
}
