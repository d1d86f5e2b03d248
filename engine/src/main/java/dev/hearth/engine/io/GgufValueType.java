package dev.hearth.engine.io;

/** The metadata value types of GGUF ({@code enum gguf_type}), with their ids in the file. */
public enum GgufValueType {
    UINT8(0), INT8(1), UINT16(2), INT16(3), UINT32(4), INT32(5), FLOAT32(6), BOOL(7), STRING(8), ARRAY(9),
    UINT64(10), INT64(11), FLOAT64(12);

    private final int id;

    GgufValueType(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** The type with id {@code id}, or null for an id GGUF does not define. */
    public static GgufValueType ofId(int id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
