package dev.hearth.guard.pii;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Finds personal data in text: runs the recognizers, lets context words raise or lower each
 * score, drops what falls below the threshold, and resolves overlapping findings — the higher
 * score wins, then the longer span. Safe to share between threads.
 *
 * <pre>{@code
 * PiiAnalyzer analyzer = PiiAnalyzer.builder().build();
 * for (Finding f : analyzer.analyze("Call Ann Lee on +44 20 7946 0958")) { ... }
 * }</pre>
 */
public final class PiiAnalyzer {
    /** The score a finding needs by default. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    private final List<Recognizer> recognizers;
    private final Set<EntityType> types;
    private final ContextWords context;
    private final double threshold;

    private PiiAnalyzer(List<Recognizer> recognizers, Set<EntityType> types, ContextWords context, double threshold) {
        this.recognizers = recognizers;
        this.types = types;
        this.context = context;
        this.threshold = threshold;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every recognizer Hearth has, in the order they run. */
    static List<Recognizer> allRecognizers() {
        return List.of(new EmailRecognizer(), new UrlRecognizer(), new NumberRecognizer(), new TokenRecognizer(),
                new EnglishNameRecognizer(), new ChineseNameRecognizer());
    }

    public Set<EntityType> types() {
        return types;
    }

    public double threshold() {
        return threshold;
    }

    /** The findings in {@code text}, ordered by start, none overlapping. */
    public List<Finding> analyze(String text) {
        List<Finding> raw = new ArrayList<>();
        for (Recognizer r : recognizers) {
            r.scan(text, raw);
        }
        List<Finding> scored = new ArrayList<>(raw.size());
        for (Finding f : raw) {
            if (types.contains(f.type())) {
                Finding g = context.apply(text, f);
                if (g.score() >= threshold) {
                    scored.add(g);
                }
            }
        }
        return resolveOverlaps(scored);
    }

    /** Keeps the best of overlapping findings (higher score, then longer span, then earlier), ordered by start. */
    public static List<Finding> resolveOverlaps(Collection<Finding> findings) {
        if (findings.size() <= 1) {
            return new ArrayList<>(findings);
        }
        List<Finding> byRank = new ArrayList<>(findings);
        byRank.sort(RANK);
        if (byRank.size() <= 32) { // the usual case: a few findings, compared pairwise without a tree
            List<Finding> kept = new ArrayList<>(byRank.size());
            for (Finding f : byRank) {
                boolean clash = false;
                for (int k = 0; k < kept.size() && !clash; k++) {
                    clash = kept.get(k).overlaps(f);
                }
                if (!clash) {
                    kept.add(f);
                }
            }
            kept.sort(Comparator.comparingInt(Finding::start));
            return kept;
        }
        java.util.TreeMap<Integer, Finding> byStart = new java.util.TreeMap<>();
        for (Finding f : byRank) {
            var before = byStart.floorEntry(f.start());
            var after = byStart.ceilingEntry(f.start());
            if ((before == null || before.getValue().end() <= f.start()) && (after == null || after.getValue().start() >= f.end())) {
                byStart.put(f.start(), f);
            }
        }
        return new ArrayList<>(byStart.values());
    }

    /** Higher score first, then the longer span, then the earlier. */
    private static final Comparator<Finding> RANK = Comparator.comparingDouble(Finding::score).reversed()
            .thenComparing(Comparator.comparingInt(Finding::length).reversed())
            .thenComparingInt(Finding::start);

    public static final class Builder {
        private Set<EntityType> types = EnumSet.allOf(EntityType.class);
        private double threshold = DEFAULT_THRESHOLD;
        private ContextWords context = ContextWords.defaults();
        private NameSource names = NameSource.DICTIONARIES;
        private ModelNameRecognizer nameModel;

        /** Only these types are reported (all by default). */
        public Builder types(Collection<EntityType> only) {
            if (only.isEmpty()) {
                throw new PiiException("no entity types chosen; name at least one, or leave the list out for all");
            }
            this.types = EnumSet.copyOf(only);
            return this;
        }

        /** Findings scoring below this are dropped (default 0.5). */
        public Builder threshold(double t) {
            if (!(t >= 0 && t <= 1)) {
                throw new PiiException("the score threshold must lie in [0, 1], not " + t);
            }
            this.threshold = t;
            return this;
        }

        public Builder context(ContextWords words) {
            this.context = words;
            return this;
        }

        /**
         * Where PERSON and LOCATION come from (dictionaries by default); {@code model} and
         * {@code both} need {@link #nameModel}.
         */
        public Builder names(NameSource source) {
            this.names = source;
            return this;
        }

        /** The trained name model that {@link NameSource#MODEL} and {@link NameSource#BOTH} use. */
        public Builder nameModel(ModelNameRecognizer model) {
            this.nameModel = model;
            return this;
        }

        public PiiAnalyzer build() {
            if (names != NameSource.DICTIONARIES && nameModel == null) {
                throw new PiiException("names from '" + names.id() + "' need a trained name model; give its folder"
                        + " (hearth pii train-ner writes one) or use dictionaries");
            }
            if (names == NameSource.DICTIONARIES && nameModel != null) {
                throw new PiiException("a name model was given but names come from the dictionaries only; choose"
                        + " model or both to use it, or leave the model out");
            }
            List<Recognizer> all = new ArrayList<>(allRecognizers());
            if (names == NameSource.MODEL) {
                all.removeIf(r -> r instanceof EnglishNameRecognizer || r instanceof ChineseNameRecognizer);
            }
            if (names != NameSource.DICTIONARIES) {
                all.add(nameModel);
            }
            List<Recognizer> rs = all.stream().filter(r -> r.types().stream().anyMatch(types::contains)).toList();
            return new PiiAnalyzer(rs, types, context, threshold);
        }
    }
}
