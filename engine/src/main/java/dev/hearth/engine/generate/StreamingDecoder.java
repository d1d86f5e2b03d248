package dev.hearth.engine.generate;

import dev.hearth.engine.tokenize.ByteLevelBpeTokenizer;
import dev.hearth.engine.tokenize.CharTokenizer;
import dev.hearth.engine.tokenize.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Turns one sequence's new tokens into text as they arrive, for streaming, and watches for stop
 * sequences.
 *
 * <p>A byte-level BPE token can end inside a UTF-8 character (a Chinese character or an emoji
 * is often two or three tokens). The decoder keeps the bytes of all new tokens and releases text
 * only up to the last complete character, so a delta never holds U+FFFD for a character that is
 * still arriving. Text that could be the beginning of a stop sequence (the longest end of the
 * text that is a prefix of one) is held back too, until the next tokens show whether the stop
 * sequence follows. When one does, the text is cut before its first occurrence.
 *
 * <p>The text of a sequence is, by construction, the concatenation of the deltas {@link #push}
 * and {@link #finish} return. For byte-level BPE and character tokenizers, whose text of a token
 * sequence is the concatenation of its tokens' texts, that equals {@code tokenizer.decode} of the
 * tokens (up to a stop sequence); other tokenizers (WordPiece) are decoded whole at each step and
 * text once released is never taken back.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final List<String> stops;
    private final boolean concatenates;
    private final int longestStop;

    private byte[] bytes = new byte[64];   // UTF-8 of the new tokens (per-token strategy)
    private int byteCount;
    private int decodedBytes;              // bytes[0..decodedBytes) are in text
    private int[] ids = new int[16];       // the new tokens (whole-decode strategy)
    private int idCount;
    private final StringBuilder text = new StringBuilder();
    private int released;                  // chars of text handed out
    private int searchedTo;                // stop sequences were looked for in text[0..searchedTo)
    private int stopAt = -1;               // where the first stop sequence begins, once found
    private boolean finished;

    public StreamingDecoder(Tokenizer tokenizer, List<String> stopSequences) {
        this.tokenizer = tokenizer;
        this.stops = List.copyOf(stopSequences);
        this.concatenates = tokenizer instanceof ByteLevelBpeTokenizer || tokenizer instanceof CharTokenizer;
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds a token and returns the text that has become final (often "", never null). */
    public String push(int tokenId) {
        if (finished || stopAt >= 0) {
            throw new IllegalStateException("the sequence has ended; no token can follow");
        }
        if (concatenates) {
            append(tokenizer.decodeBytes(new int[] {tokenId}));
            int complete = completeLength(bytes, byteCount);
            if (complete > decodedBytes) {
                text.append(new String(bytes, decodedBytes, complete - decodedBytes, StandardCharsets.UTF_8));
                decodedBytes = complete;
            }
        } else {
            if (idCount == ids.length) {
                ids = Arrays.copyOf(ids, 2 * idCount);
            }
            ids[idCount++] = tokenId;
            byte[] all = tokenizer.decodeBytes(Arrays.copyOf(ids, idCount));
            String whole = new String(all, 0, completeLength(all, all.length), StandardCharsets.UTF_8);
            if (whole.startsWith(text.toString())) {
                text.append(whole, text.length(), whole.length());
            }
        }
        findStop();
        return release(false);
    }

    /** True once the text contains a stop sequence. */
    public boolean stopped() {
        return stopAt >= 0;
    }

    /**
     * Ends the sequence and returns the rest of its text: what was held back, and the bytes of an
     * unfinished character (as U+FFFD) when generation ended inside one.
     */
    public String finish() {
        if (finished) {
            return "";
        }
        if (stopAt < 0) {
            if (concatenates && byteCount > decodedBytes) {
                text.append(new String(bytes, decodedBytes, byteCount - decodedBytes, StandardCharsets.UTF_8));
                decodedBytes = byteCount;
            } else if (!concatenates && idCount > 0) {
                String whole = tokenizer.decode(Arrays.copyOf(ids, idCount));
                if (whole.startsWith(text.toString())) {
                    text.append(whole, text.length(), whole.length());
                }
            }
            findStop();
        }
        String rest = release(true);
        finished = true;
        return rest;
    }

    /** The text so far: everything released, and after {@link #finish} the whole text. */
    public String text() {
        return text.substring(0, released);
    }

    private void append(byte[] b) {
        if (byteCount + b.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, byteCount + b.length));
        }
        System.arraycopy(b, 0, bytes, byteCount, b.length);
        byteCount += b.length;
    }

    private void findStop() {
        if (stops.isEmpty() || stopAt >= 0) {
            return;
        }
        int from = Math.max(0, searchedTo - longestStop + 1);
        int best = -1;
        for (String s : stops) {
            int i = text.indexOf(s, from);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        searchedTo = text.length();
        if (best >= 0) {
            stopAt = best;
        }
    }

    private String release(boolean all) {
        int end;
        if (stopAt >= 0) {
            end = stopAt;
        } else if (all) {
            end = text.length();
        } else {
            end = text.length() - heldBack();
        }
        if (end <= released) {
            return "";
        }
        String delta = text.substring(released, end);
        released = end;
        return delta;
    }

    /** The length of the longest end of the text that is a proper prefix of a stop sequence. */
    private int heldBack() {
        int n = text.length();
        int best = 0;
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, n - released); len > best; len--) {
                if (endsWithPrefix(n, s, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    private boolean endsWithPrefix(int n, String s, int len) {
        for (int i = 0; i < len; i++) {
            if (text.charAt(n - len + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The length of the longest prefix of {@code b[0..n)} that does not end inside a UTF-8
     * character which further bytes could still complete. Bytes that can never become valid
     * UTF-8 count as complete (they decode to U+FFFD at once).
     */
    static int completeLength(byte[] b, int n) {
        // a character is at most 4 bytes: look at the last 3 for an unfinished lead byte
        for (int back = 1; back <= Math.min(3, n); back++) {
            int x = b[n - back] & 0xFF;
            if (x < 0x80) {
                return n;                                  // ASCII: everything before is settled
            }
            if (x < 0xC0) {
                continue;                                  // continuation byte: look further back
            }
            int need = x >= 0xF0 ? 4 : x >= 0xE0 ? 3 : 2;  // lead byte of a need-byte character
            if (x >= 0xF5 || x == 0xC0 || x == 0xC1) {
                return n;                                  // never valid: complete as it is
            }
            return back < need ? n - back : n;
        }
        return n;
    }
}
