package dev.hearth.engine.models;

import dev.hearth.engine.HearthException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The code points a {@link TokenTagger} knows, each with its row in the character table: the
 * {@code i}-th code point has id {@code i + 2} (ids 0 and 1 are padding and unknown). Code points
 * in the Basic Multilingual Plane are looked up in a flat table, the rest in a map. Immutable.
 */
public final class CharVocabulary {
    private final int[] codePoints;            // sorted, distinct
    private final char[] bmp = new char[1 << 16];   // code point -> id, 0 = unknown (ids < 65536)
    private final Map<Integer, Integer> astral = new HashMap<>();

    public CharVocabulary(int[] codePoints) {
        int[] sorted = codePoints.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (!Character.isValidCodePoint(sorted[i]) || i > 0 && sorted[i] == sorted[i - 1]) {
                throw new HearthException("a character vocabulary holds distinct valid code points; " + sorted[i]
                        + " is " + (i > 0 && sorted[i] == sorted[i - 1] ? "repeated" : "not a code point"));
            }
        }
        if (sorted.length + 2 >= (1 << 16)) {
            throw new HearthException("a character vocabulary holds at most 65,533 code points, not " + sorted.length);
        }
        this.codePoints = sorted;
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] < (1 << 16)) {
                bmp[sorted[i]] = (char) (i + 2);
            } else {
                astral.put(sorted[i], i + 2);
            }
        }
    }

    /**
     * The code points of {@code texts} seen at least {@code minCount} times, so that rare
     * characters (and the names they spell) leave training as the unknown id.
     */
    public static CharVocabulary fromTexts(Iterable<String> texts, int minCount) {
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        for (String t : texts) {
            t.codePoints().forEach(cp -> counts.merge(cp, 1, Integer::sum));
        }
        return new CharVocabulary(counts.entrySet().stream().filter(e -> e.getValue() >= minCount)
                .mapToInt(Map.Entry::getKey).toArray());
    }

    /** Rows of the character table this vocabulary needs: its code points and the two reserved ids. */
    public int size() {
        return codePoints.length + 2;
    }

    public int[] codePoints() {
        return codePoints.clone();
    }

    public int id(int cp) {
        if (cp < (1 << 16)) {
            int id = bmp[cp];
            return id == 0 ? TokenTagger.UNKNOWN : id;
        }
        return astral.getOrDefault(cp, TokenTagger.UNKNOWN);
    }

    /** One text as ids and shapes, one per code point. */
    public record Encoded(int[] ids, int[] shapes) {
        public int length() {
            return ids.length;
        }
    }

    public Encoded encode(String text) {
        int n = text.codePointCount(0, text.length());
        int[] ids = new int[n];
        int[] shapes = new int[n];
        int k = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            ids[k] = id(cp);
            shapes[k] = TokenTagger.shapeOf(cp);
            k++;
            i += Character.charCount(cp);
        }
        return new Encoded(ids, shapes);
    }
}
