package dev.hearth.engine.tokenize;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A tokenizer's added vocabulary and the first step of encoding, as Hugging Face's
 * {@code AddedVocabulary}: tokens whose {@code normalized} flag is false are found in the raw
 * text, the pieces between them are normalized, tokens whose flag is true are found in those, and
 * what is left goes to the model. Matching is leftmost-longest; {@code single_word},
 * {@code lstrip} and {@code rstrip} behave as in Hugging Face. Special tokens take part only when
 * the {@link SpecialTokenPolicy} says so.
 */
final class AddedTokens {
    private final List<AddedToken> tokens;
    private final Map<Integer, AddedToken> byId;
    private final Map<String, AddedToken> byContent;
    private final Matcher rawPlain;
    private final Matcher rawAll;
    private final Matcher normalizedPlain;
    private final Matcher normalizedAll;

    AddedTokens(List<AddedToken> tokens) {
        List<AddedToken> sorted = new ArrayList<>(tokens);
        sorted.sort(Comparator.comparingInt(AddedToken::id));
        this.tokens = List.copyOf(sorted);
        Map<Integer, AddedToken> ids = new HashMap<>();
        Map<String, AddedToken> contents = new HashMap<>();
        for (AddedToken t : sorted) {
            AddedToken before = ids.putIfAbsent(t.id(), t);
            if (before != null) {
                throw new TokenizerException("added tokens '" + before.content() + "' and '" + t.content()
                        + "' both have id " + t.id() + "; give each its own id");
            }
            before = contents.putIfAbsent(t.content(), t);
            if (before != null) {
                throw new TokenizerException("the added token '" + t.content() + "' appears twice, with ids "
                        + before.id() + " and " + t.id() + "; keep one");
            }
        }
        this.byId = ids;
        this.byContent = contents;
        rawPlain = matcher(t -> !t.normalized() && !t.special());
        rawAll = matcher(t -> !t.normalized());
        normalizedPlain = matcher(t -> t.normalized() && !t.special());
        normalizedAll = matcher(AddedToken::normalized);
    }

    static final AddedTokens NONE = new AddedTokens(List.of());

    private Matcher matcher(java.util.function.Predicate<AddedToken> keep) {
        List<AddedToken> chosen = tokens.stream().filter(keep).toList();
        return chosen.isEmpty() ? null : new Matcher(chosen);
    }

    List<AddedToken> tokens() {
        return tokens;
    }

    AddedToken byId(int id) {
        return byId.get(id);
    }

    AddedToken byContent(String content) {
        return byContent.get(content);
    }

    boolean isSpecial(int id) {
        AddedToken t = byId.get(id);
        return t != null && t.special();
    }

    int maxId() {
        return tokens.isEmpty() ? -1 : tokens.getLast().id();
    }

    Set<String> specialContents() {
        Set<String> out = new LinkedHashSet<>();
        for (AddedToken t : tokens) {
            if (t.special()) {
                out.add(t.content());
            }
        }
        return Collections.unmodifiableSet(out);
    }

    OptionalInt specialId(String content) {
        AddedToken t = byContent.get(content);
        return t != null && t.special() ? OptionalInt.of(t.id()) : OptionalInt.empty();
    }

    /** Runs the added-token step over {@code text} and hands the rest, normalized, to {@code model}. */
    void encode(String text, SpecialTokenPolicy policy, Normalizer normalizer, SegmentEncoder model,
            IntArrayBuilder out) {
        Matcher raw = policy == SpecialTokenPolicy.TREAT_AS_TEXT ? rawPlain : rawAll;
        Matcher norm = policy == SpecialTokenPolicy.TREAT_AS_TEXT ? normalizedPlain : normalizedAll;
        boolean identity = normalizer.isIdentity();
        if (raw == null && norm == null) {
            model.encode(identity ? text : normalizer.normalize(text), 0, out);
            return;
        }
        IntArrayBuilder matches = new IntArrayBuilder();
        if (raw != null) {
            raw.find(text, matches);
        }
        int pos = 0;
        for (int k = 0; k <= matches.size(); k += 3) {
            int start = k < matches.size() ? matches.get(k) : text.length();
            if (start > pos) {
                String piece = text.substring(pos, start);
                encodeNormalizedPart(identity ? piece : normalizer.normalize(piece), pos, norm, policy, model, out);
            }
            if (k < matches.size()) {
                emit(matches.get(k + 2), start, policy, out);
                pos = matches.get(k + 1);
            }
        }
    }

    private void encodeNormalizedPart(String piece, int offset, Matcher norm, SpecialTokenPolicy policy,
            SegmentEncoder model, IntArrayBuilder out) {
        if (norm == null) {
            model.encode(piece, offset, out);
            return;
        }
        IntArrayBuilder matches = new IntArrayBuilder();
        norm.find(piece, matches);
        int pos = 0;
        for (int k = 0; k <= matches.size(); k += 3) {
            int start = k < matches.size() ? matches.get(k) : piece.length();
            if (start > pos) {
                model.encode(piece.substring(pos, start), offset + pos, out);
            }
            if (k < matches.size()) {
                emit(matches.get(k + 2), offset + start, policy, out);
                pos = matches.get(k + 1);
            }
        }
    }

    private void emit(int id, int index, SpecialTokenPolicy policy, IntArrayBuilder out) {
        AddedToken t = byId.get(id);
        if (t.special() && policy == SpecialTokenPolicy.REJECT) {
            throw new TokenizerException("the text holds the special token '" + t.content() + "' at index " + index
                    + "; encode with SpecialTokenPolicy.RECOGNIZE to turn it into id " + t.id()
                    + ", or TREAT_AS_TEXT to encode its characters as ordinary text");
        }
        out.add(id);
    }

    /** Leftmost-longest matching of a fixed set of tokens, with Hugging Face's flag handling. */
    private static final class Matcher {
        private final Map<Character, AddedToken[]> byFirstChar = new HashMap<>();
        private final boolean[] firstChar = new boolean[65536];

        Matcher(List<AddedToken> tokens) {
            Map<Character, List<AddedToken>> groups = new HashMap<>();
            for (AddedToken t : tokens) {
                char c = t.content().charAt(0);
                groups.computeIfAbsent(c, x -> new ArrayList<>()).add(t);
                firstChar[c] = true;
            }
            groups.forEach((c, list) -> {
                list.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
                byFirstChar.put(c, list.toArray(AddedToken[]::new));
            });
        }

        /** Appends (start, end, id) of each match, in order, non-overlapping. */
        void find(String s, IntArrayBuilder out) {
            int n = s.length();
            int consumed = 0; // end of the previous match: lstrip does not reach before it
            int i = 0;
            while (i < n) {
                char c = s.charAt(i);
                if (!firstChar[c]) {
                    i++;
                    continue;
                }
                AddedToken[] candidates = byFirstChar.get(c);
                AddedToken hit = null;
                if (candidates != null) {
                    for (AddedToken t : candidates) {
                        if (s.startsWith(t.content(), i)) {
                            hit = t;
                            break;
                        }
                    }
                }
                if (hit == null) {
                    i++;
                    continue;
                }
                int start = i;
                int stop = i + hit.content().length();
                if (hit.singleWord() && ((start > 0 && isWordChar(s.codePointBefore(start)))
                        || (stop < n && isWordChar(s.codePointAt(stop))))) {
                    i = stop; // as Hugging Face: the match is consumed, then discarded
                    continue;
                }
                if (hit.lstrip()) {
                    int k = start;
                    while (k > consumed && CharClass.isWhiteSpace(s.charAt(k - 1))) {
                        k--;
                    }
                    start = k;
                }
                if (hit.rstrip()) {
                    while (stop < n && CharClass.isWhiteSpace(s.charAt(stop))) {
                        stop++;
                    }
                }
                out.add(start);
                out.add(stop);
                out.add(hit.id());
                consumed = stop;
                i = stop;
            }
        }

        /** Rust regex's Unicode {@code \w}: alphabetic, marks, decimal digits, connector punctuation, joiners. */
        private static boolean isWordChar(int cp) {
            if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) {
                return true;
            }
            int t = Character.getType(cp);
            return t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK
                    || t == Character.COMBINING_SPACING_MARK || t == Character.DECIMAL_DIGIT_NUMBER
                    || t == Character.CONNECTOR_PUNCTUATION;
        }
    }
}
