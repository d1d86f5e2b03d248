package dev.hearth.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/** Typed access to {@code config.json} fields, with errors that name the file and the field. */
final class ConfigReader {
    private final Path file;
    private final ObjectNode json;

    ConfigReader(Path file, ObjectNode json) {
        this.file = file;
        this.json = json;
    }

    int integer(String field) {
        JsonNode v = json.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw fail(field, v == null ? "is missing" : "must be a whole number, got " + v);
        }
        return v.intValue();
    }

    int integer(String field, int fallback) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? fallback : integer(field);
    }

    double number(String field, double fallback) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw fail(field, "must be a number, got " + v);
        }
        return v.doubleValue();
    }

    boolean bool(String field, boolean fallback) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw fail(field, "must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    String text(String field, String fallback) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw fail(field, "must be a string, got " + v);
        }
        return v.textValue();
    }

    JsonNode node(String field) {
        return json.get(field);
    }

    CheckpointException fail(String field, String problem) {
        return new CheckpointException(file, "\"" + field + "\" " + problem);
    }
}
