package dev.hearth.guard.pii;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.TaggerFolder;
import dev.hearth.engine.models.CharVocabulary;
import dev.hearth.engine.models.TokenTagger;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * PERSON and LOCATION found by a trained {@link TokenTagger} ({@code hearth pii train-ner}): the
 * tagger gives each code point a BIO tag; a span starts at a B tag (or at an I tag that does not
 * continue one of its type) and runs over the I tags of its type. A span keeps only whole Latin
 * words (a piece of a word at either end is cut off), loses surrounding punctuation, and a lone
 * Han character is dropped. Its score is the mean probability of the chosen tags over the span,
 * its reason {@code model}. Safe to share between
 * threads: the frozen weights are read-only.
 */
public final class ModelNameRecognizer implements Recognizer {
    /** The tag set: tag {@code 2k+1} begins and {@code 2k+2} continues {@code TYPES.get(k)}. */
    public static final List<String> TAGS = List.of("O", "B-PERSON", "I-PERSON", "B-LOCATION", "I-LOCATION");
    private static final List<EntityType> TYPES = List.of(EntityType.PERSON, EntityType.LOCATION);

    private final TokenTagger.Frozen tagger;
    private final CharVocabulary vocabulary;
    private final Path folder;

    public ModelNameRecognizer(TokenTagger model, CharVocabulary vocabulary, Path folder) {
        if (model.config().tags() != TAGS.size() || model.config().vocabSize() != vocabulary.size()) {
            throw new PiiException("the tagger has " + model.config().tags() + " tags and " + model.config().vocabSize()
                    + " vocabulary rows; a name tagger needs the " + TAGS.size() + " tags " + TAGS + " and a vocabulary"
                    + " of " + vocabulary.size() + " rows");
        }
        this.tagger = model.frozen();
        this.vocabulary = vocabulary;
        this.folder = folder;
    }

    /** Loads a folder written by {@code hearth pii train-ner}, refusing any other tagger or model. */
    public static ModelNameRecognizer load(Path dir) {
        TaggerFolder.Loaded l;
        try {
            l = TaggerFolder.load(dir);
        } catch (HearthException e) {
            throw new PiiException("cannot use " + dir + " as a name model: " + e.getMessage(), e);
        }
        if (!l.tags().equals(TAGS)) {
            throw new PiiException(dir + " holds a tagger for the tags " + l.tags() + ", not the name tags " + TAGS
                    + "; train a name model with 'hearth pii train-ner --out DIR'");
        }
        return new ModelNameRecognizer(l.model(), l.vocabulary(), dir);
    }

    public Path folder() {
        return folder;
    }

    @Override
    public Set<EntityType> types() {
        return EnumSet.of(EntityType.PERSON, EntityType.LOCATION);
    }

    /** The gold tag of every code point of a labelled text (only PERSON and LOCATION spans; the rest is O). */
    public static int[] tags(LabeledText t) {
        int[] y = new int[t.text().codePointCount(0, t.text().length())];
        for (LabeledText.Span s : t.entities()) {
            int k = TYPES.indexOf(s.type());
            if (k < 0) {
                continue;
            }
            if (s.end() > y.length) {
                throw new PiiException("record " + t.id() + ": span [" + s.start() + ", " + s.end() + ") runs past the"
                        + " text's " + y.length + " code points");
            }
            y[s.start()] = 2 * k + 1;
            for (int i = s.start() + 1; i < s.end(); i++) {
                y[i] = 2 * k + 2;
            }
        }
        return y;
    }

    /** A Latin letter or digit: the characters of a word that has spaces around it. */
    private static boolean isWordChar(String text, int i) {
        char c = text.charAt(i);
        return c < 0x2E80 && Character.isLetterOrDigit(c);
    }

    /** One Han character alone: never a whole Chinese name or place in the tagger's tags. */
    private static boolean singleHan(String text, int a, int b) {
        int cp = text.codePointAt(a);
        return a + Character.charCount(cp) == b && Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
    }

    /** Code-point spans from per-position tag probabilities (positions × tags), before trimming. */
    static List<LabeledText.Span> decode(float[] probs, int positions) {
        int nt = TAGS.size();
        List<LabeledText.Span> out = new java.util.ArrayList<>();
        int start = -1;
        int type = -1;
        double sum = 0;
        for (int i = 0; i <= positions; i++) {
            int best = 0;
            if (i < positions) {
                for (int j = 1; j < nt; j++) {
                    if (probs[i * nt + j] > probs[i * nt + best]) {
                        best = j;
                    }
                }
            }
            int k = best == 0 ? -1 : (best - 1) / 2;
            boolean begin = best != 0 && (best % 2 == 1 || k != type);
            if (start >= 0 && (best == 0 || begin)) {
                out.add(new LabeledText.Span(TYPES.get(type), start, i, sum / (i - start)));
                start = -1;
                type = -1;
            }
            if (i < positions && best != 0) {
                if (start < 0) {
                    start = i;
                    type = k;
                    sum = 0;
                }
                sum += probs[i * nt + best];
            }
        }
        return out;
    }

    @Override
    public void scan(String text, List<Finding> out) {
        if (text.isEmpty()) {
            return;
        }
        CharVocabulary.Encoded e = vocabulary.encode(text);
        float[] p = tagger.probabilities(e.ids(), e.shapes());
        int[] offsets = new int[e.length() + 1];          // code point -> UTF-16 index
        for (int i = 0, k = 0; i < text.length(); k++) {
            offsets[k] = i;
            i += Character.charCount(text.codePointAt(i));
        }
        offsets[e.length()] = text.length();
        for (LabeledText.Span s : decode(p, e.length())) {
            int a = offsets[s.start()];
            int b = offsets[s.end()];
            // A name is made of whole words: a span that starts or ends inside a Latin word loses that piece.
            if (a > 0 && isWordChar(text, a - 1) && isWordChar(text, a)) {
                while (a < b && isWordChar(text, a)) {
                    a++;
                }
            }
            if (b < text.length() && isWordChar(text, b) && isWordChar(text, b - 1)) {
                while (b > a && isWordChar(text, b - 1)) {
                    b--;
                }
            }
            while (a < b && !Character.isLetterOrDigit(text.codePointAt(a))) {
                a += Character.charCount(text.codePointAt(a));
            }
            while (b > a && !Character.isLetterOrDigit(text.codePointBefore(b))) {
                b -= Character.charCount(text.codePointBefore(b));
            }
            if (a < b && !singleHan(text, a, b)) {
                out.add(new Finding(s.type(), a, b, s.score(), "model"));
            }
        }
    }
}
