package dev.hearth.engine.tokenize;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Hugging Face's {@code TemplateProcessing}: the single-sequence template (such as {@code <s> $A
 * </s>} or {@code [CLS] $A [SEP]}) says which special tokens surround the encoded text. The pair
 * template is kept for saving; Hearth encodes single sequences. BERT's {@code BertProcessing} and
 * RoBERTa's {@code RobertaProcessing} are read as the equivalent templates.
 *
 * @param single the single-sequence template
 * @param pair the pair template (may be empty)
 * @param specialTokens each special token the templates name, with the ids it stands for
 */
public record TemplatePostProcessor(List<Piece> single, List<Piece> pair, Map<String, TemplateToken> specialTokens)
        implements PostProcessor {

    /** One element of a template: the sequence ({@code $A}/{@code $B}) or a named special token. */
    public record Piece(boolean isSequence, String id, int typeId) {
        public Piece {
            Objects.requireNonNull(id, "id");
        }

        public static Piece sequence(String id, int typeId) {
            return new Piece(true, id, typeId);
        }

        public static Piece specialToken(String id, int typeId) {
            return new Piece(false, id, typeId);
        }
    }

    /** A special token of a template: its name, the ids it adds and their token strings. */
    public record TemplateToken(String id, List<Integer> ids, List<String> tokens) {
        public TemplateToken {
            ids = List.copyOf(ids);
            tokens = List.copyOf(tokens);
        }
    }

    public TemplatePostProcessor {
        single = List.copyOf(single);
        pair = List.copyOf(pair);
        specialTokens = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
        for (List<Piece> template : List.of(single, pair)) {
            for (Piece p : template) {
                if (!p.isSequence() && !specialTokens.containsKey(p.id())) {
                    throw new TokenizerException("the template names the special token '" + p.id()
                            + "' but special_tokens does not define it; add it to special_tokens with its ids");
                }
            }
        }
    }

    /**
     * The template {@code prefix... $A suffix...} (and {@code prefix... $A suffix... $B:1 suffix...:1}
     * for pairs), each token given as an added token of the tokenizer.
     */
    public static TemplatePostProcessor surround(List<AddedToken> prefix, List<AddedToken> suffix) {
        Map<String, TemplateToken> tokens = new LinkedHashMap<>();
        List<Piece> single = new ArrayList<>();
        List<Piece> pair = new ArrayList<>();
        for (AddedToken t : prefix) {
            tokens.put(t.content(), new TemplateToken(t.content(), List.of(t.id()), List.of(t.content())));
            single.add(Piece.specialToken(t.content(), 0));
            pair.add(Piece.specialToken(t.content(), 0));
        }
        single.add(Piece.sequence("A", 0));
        pair.add(Piece.sequence("A", 0));
        for (AddedToken t : suffix) {
            tokens.put(t.content(), new TemplateToken(t.content(), List.of(t.id()), List.of(t.content())));
            single.add(Piece.specialToken(t.content(), 0));
            pair.add(Piece.specialToken(t.content(), 0));
        }
        pair.add(Piece.sequence("B", 1));
        for (AddedToken t : suffix) {
            pair.add(Piece.specialToken(t.content(), 1));
        }
        return new TemplatePostProcessor(single, pair, tokens);
    }

    @Override
    public int[] apply(int[] ids) {
        IntArrayBuilder out = new IntArrayBuilder(ids.length + 4);
        for (Piece p : single) {
            if (p.isSequence()) {
                out.addAll(ids);
            } else {
                for (int id : specialTokens.get(p.id()).ids()) {
                    out.add(id);
                }
            }
        }
        return out.toArray();
    }
}
