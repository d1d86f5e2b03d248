package dev.hearth.guard.pii;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Span-level precision, recall and F2 per entity type, comparing predictions with gold labels.
 * In {@link Match#EXACT} mode a prediction counts only when type, start and end all agree; in
 * {@link Match#OVERLAP} mode a prediction of the right type that overlaps an unmatched gold span
 * counts. F2 weighs recall twice as much as precision, because a missed name leaks and a false
 * alarm only costs a redaction.
 */
public final class PiiEvaluation {
    public enum Match { EXACT, OVERLAP }

    /** Counts and scores for one type (or for all together). */
    public record Scores(long truePositives, long falsePositives, long falseNegatives) {
        public double precision() {
            long p = truePositives + falsePositives;
            return p == 0 ? 1.0 : (double) truePositives / p;
        }

        public double recall() {
            long g = truePositives + falseNegatives;
            return g == 0 ? 1.0 : (double) truePositives / g;
        }

        /** F-beta with beta = 2. */
        public double f2() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0 : 5 * p * r / (4 * p + r);
        }

        Scores plus(Scores o) {
            return new Scores(truePositives + o.truePositives, falsePositives + o.falsePositives,
                    falseNegatives + o.falseNegatives);
        }
    }

    /** Per-type scores and their micro-average over all types. */
    public record Report(Match match, long records, Map<EntityType, Scores> byType, Scores overall) {}

    private PiiEvaluation() {}

    /**
     * Scores only the spans of {@code types} in both lists: labels of other types are left out
     * rather than counted as missed (for an analyzer that looks for some types only).
     */
    public static Report evaluate(List<List<LabeledText.Span>> gold, List<List<LabeledText.Span>> predicted, Match match,
                                  java.util.Set<EntityType> types) {
        java.util.function.Function<List<LabeledText.Span>, List<LabeledText.Span>> keep =
                spans -> spans.stream().filter(s -> types.contains(s.type())).toList();
        return evaluate(gold.stream().map(keep).toList(), predicted.stream().map(keep).toList(), match);
    }

    /** Scores {@code predicted} against {@code gold}, record by record (the lists pair up by position). */
    public static Report evaluate(List<List<LabeledText.Span>> gold, List<List<LabeledText.Span>> predicted, Match match) {
        if (gold.size() != predicted.size()) {
            throw new PiiException("there are " + gold.size() + " labelled records but " + predicted.size() + " predictions");
        }
        Map<EntityType, long[]> counts = new EnumMap<>(EntityType.class);
        for (int k = 0; k < gold.size(); k++) {
            List<LabeledText.Span> g = gold.get(k);
            boolean[] used = new boolean[g.size()];
            for (LabeledText.Span p : predicted.get(k)) {
                int hit = -1;
                for (int j = 0; j < g.size() && hit < 0; j++) {
                    LabeledText.Span s = g.get(j);
                    if (!used[j] && s.type() == p.type()
                            && (match == Match.EXACT ? s.start() == p.start() && s.end() == p.end() : s.overlaps(p))) {
                        hit = j;
                    }
                }
                long[] c = counts.computeIfAbsent(p.type(), t -> new long[3]);
                if (hit >= 0) {
                    used[hit] = true;
                    c[0]++;
                } else {
                    c[1]++;
                }
            }
            for (int j = 0; j < g.size(); j++) {
                if (!used[j]) {
                    counts.computeIfAbsent(g.get(j).type(), t -> new long[3])[2]++;
                }
            }
        }
        Map<EntityType, Scores> byType = new EnumMap<>(EntityType.class);
        Scores all = new Scores(0, 0, 0);
        for (var e : counts.entrySet()) {
            Scores s = new Scores(e.getValue()[0], e.getValue()[1], e.getValue()[2]);
            byType.put(e.getKey(), s);
            all = all.plus(s);
        }
        return new Report(match, gold.size(), byType, all);
    }

    /** Runs {@code analyzer} over the labelled records and scores it. */
    public static Report evaluate(PiiAnalyzer analyzer, List<LabeledText> labelled, Match match) {
        List<List<LabeledText.Span>> gold = new ArrayList<>();
        List<List<LabeledText.Span>> predicted = new ArrayList<>();
        for (LabeledText t : labelled) {
            gold.add(t.entities());
            predicted.add(LabeledText.spans(t.text(), analyzer.analyze(t.text())));
        }
        return evaluate(gold, predicted, match);
    }
}
