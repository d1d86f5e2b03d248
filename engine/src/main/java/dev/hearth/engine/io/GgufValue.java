package dev.hearth.engine.io;

import java.util.List;

/**
 * One metadata value of a GGUF file: its type and the Java value holding it ({@code String},
 * {@code Boolean}, {@code Float}, {@code Double}, {@code Long} for every integer type, and for an
 * array a {@code List} of those, all of {@code elementType}).
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {
    public GgufValue {
        if ((type == GgufValueType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("an array has an element type, and only an array");
        }
    }

    public static GgufValue string(String s) {
        return new GgufValue(GgufValueType.STRING, null, s);
    }

    public static GgufValue uint32(long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new GgufException("uint32 value out of range: " + v);
        }
        return new GgufValue(GgufValueType.UINT32, null, v);
    }

    public static GgufValue float32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, null, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, null, v);
    }

    public static GgufValue array(GgufValueType elementType, List<?> values) {
        return new GgufValue(GgufValueType.ARRAY, elementType, List.copyOf(values));
    }

    /** The value as a long (any integer type), failing with the key's name otherwise. */
    public long asLong(String key) {
        if (value instanceof Long l) {
            return l;
        }
        throw new GgufException(key + " is " + type + ", not an integer");
    }

    /** The array's elements, failing with the key's name when this is not an array. */
    public List<?> asList(String key) {
        if (value instanceof List<?> l) {
            return l;
        }
        throw new GgufException(key + " is " + type + ", not an array");
    }
}
