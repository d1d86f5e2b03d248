package dev.hearth.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Reads the fields of a request body with OpenAI's types, naming the field when one is wrong. */
final class RequestFields {
    private final ObjectNode body;

    RequestFields(ObjectNode body) {
        this.body = body;
    }

    ObjectNode body() {
        return body;
    }

    boolean has(String field) {
        JsonNode n = body.get(field);
        return n != null && !n.isNull();
    }

    JsonNode node(String field) {
        return body.get(field);
    }

    String requiredString(String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            throw ApiException.invalid(field, "missing required parameter '" + field + "'");
        }
        if (!n.isTextual()) {
            throw ApiException.invalid(field, "'" + field + "' must be a string, got " + kind(n));
        }
        return n.asText();
    }

    String string(String field, String otherwise) {
        return has(field) ? requiredString(field) : otherwise;
    }

    long integer(String field, long otherwise, long min, long max) {
        if (!has(field)) {
            return otherwise;
        }
        JsonNode n = body.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ApiException.invalid(field, "'" + field + "' must be an integer, got " + kind(n));
        }
        long v = n.asLong();
        if (v < min || v > max) {
            throw ApiException.invalid(field, "'" + field + "' is " + v + "; it must be between " + min + " and " + max);
        }
        return v;
    }

    double number(String field, double otherwise, double min, double max) {
        if (!has(field)) {
            return otherwise;
        }
        JsonNode n = body.get(field);
        if (!n.isNumber()) {
            throw ApiException.invalid(field, "'" + field + "' must be a number, got " + kind(n));
        }
        double v = n.asDouble();
        if (!(v >= min && v <= max)) {
            throw ApiException.invalid(field, "'" + field + "' is " + v + "; it must be between " + min + " and " + max);
        }
        return v;
    }

    boolean bool(String field, boolean otherwise) {
        if (!has(field)) {
            return otherwise;
        }
        JsonNode n = body.get(field);
        if (!n.isBoolean()) {
            throw ApiException.invalid(field, "'" + field + "' must be true or false, got " + kind(n));
        }
        return n.asBoolean();
    }

    /** {@code stop}: a string or up to four strings. */
    List<String> stop() {
        List<String> out = new ArrayList<>();
        if (!has("stop")) {
            return out;
        }
        JsonNode n = body.get("stop");
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray()) {
            for (JsonNode s : n) {
                if (!s.isTextual()) {
                    throw ApiException.invalid("stop", "'stop' must be a string or an array of strings, got an"
                            + " array holding " + kind(s));
                }
                out.add(s.asText());
            }
        } else {
            throw ApiException.invalid("stop", "'stop' must be a string or an array of strings, got " + kind(n));
        }
        if (out.size() > 4) {
            throw ApiException.invalid("stop", "'stop' holds " + out.size() + " sequences; at most 4 are allowed");
        }
        for (String s : out) {
            if (s.isEmpty()) {
                throw ApiException.invalid("stop", "'stop' holds an empty string, which would stop at once");
            }
        }
        return out;
    }

    /** Refuses OpenAI parameters this server does not implement when they ask for something. */
    void unsupported(String field, String why) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull() || (n.isNumber() && n.asDouble() == 0) || (n.isBoolean() && !n.asBoolean())
                || (n.isContainerNode() && n.isEmpty())) {
            return;
        }
        throw ApiException.invalid(field, "'" + field + "' is not supported by this server: " + why);
    }

    static String kind(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isNumber()) {
            return "the number " + n.asText();
        }
        if (n.isBoolean()) {
            return n.asText();
        }
        return n.isArray() ? "an array" : "an object";
    }
}
