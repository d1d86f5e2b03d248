package dev.hearth.lab.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Documents of a JSON Lines file: each line is one JSON value, the document is the string in
 * the chosen field (dots reach into nested objects, numbers into arrays: {@code meta.text},
 * {@code messages.0.content}). Blank lines are not records and are passed over; document
 * {@code i} is line {@code i + 1}. A line that is not JSON, lacks the field or holds something
 * other than a string there is skipped with its line number.
 */
final class JsonlDocumentReader implements DocumentReader {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String field;
    private final String[] path;

    JsonlDocumentReader(String field) {
        this.field = field;
        this.path = field.split("\\.", -1);
    }

    @Override
    public void read(InputStream in, long offset, DocumentSink sink) throws IOException {
        LineReader lines = new LineReader(in, offset);
        while (lines.next()) {
            if (lines.isBlank()) {
                continue;
            }
            long index = lines.number() - 1;
            String where = "line " + lines.number();
            byte[] b = lines.buffer();
            int bad = Utf8.firstInvalid(b, lines.start(), lines.length());
            if (bad >= 0) {
                sink.skip(index, where, SkipReason.INVALID_UTF8,
                        "invalid UTF-8 at byte " + (lines.offset() + bad - lines.start()));
                continue;
            }
            JsonNode root;
            try {
                root = JSON.readTree(b, lines.start(), lines.length());
            } catch (JsonProcessingException e) {
                sink.skip(index, where, SkipReason.NOT_JSON, "not JSON: " + e.getOriginalMessage());
                continue;
            }
            JsonNode node = root;
            for (String part : path) {
                node = node == null ? null : node.isArray() && isIndex(part) ? node.get(Integer.parseInt(part))
                        : node.get(part);
            }
            if (node == null || node.isNull()) {
                sink.skip(index, where, SkipReason.MISSING_FIELD, "no field '" + field + "'" + fieldsOf(root));
                continue;
            }
            if (!node.isTextual()) {
                sink.skip(index, where, SkipReason.NOT_TEXT, "field '" + field + "' is " + node.getNodeType()
                        .toString().toLowerCase(java.util.Locale.ROOT) + ", not a string");
                continue;
            }
            String text = node.textValue();
            int surrogate = Utf8.firstUnpairedSurrogate(text);
            if (surrogate >= 0) {
                sink.skip(index, where, SkipReason.INVALID_UNICODE, String.format(
                        "field '%s' holds an unpaired surrogate (U+%04X) at character %d: not Unicode text", field,
                        (int) text.charAt(surrogate), surrogate));
                continue;
            }
            if (text.isBlank()) {
                sink.skip(index, where, SkipReason.EMPTY, text.isEmpty() ? "no text" : "only whitespace");
                continue;
            }
            sink.text(index, text, Utf8.encodedLength(text), true);
        }
    }

    private static boolean isIndex(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** " (its fields: a, b, c)" for an object, "" otherwise. */
    private static String fieldsOf(JsonNode root) {
        if (!root.isObject()) {
            return " (the line is a JSON " + root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                    + ", not an object)";
        }
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext() && names.size() < 10; ) {
            names.add(it.next());
        }
        return names.isEmpty() ? " (the object is empty)" : " (its fields: " + String.join(", ", names) + ")";
    }
}
