package dev.hearth.engine.io;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The element types of the safetensors format, named as the format names them ({@code "F32"},
 * {@code "BF16"}, ...). Elements are little-endian. Hearth computes in float32; every type here
 * can be read as float (integers and BOOL by value, narrow floats by decoding), and float tensors
 * can be stored as {@link #F32}, {@link #F16}, {@link #BF16} or {@link #F64}.
 */
public enum DType {
    /** One byte, 0 or 1. */
    BOOL(1, Kind.BOOL),
    U8(1, Kind.UNSIGNED),
    I8(1, Kind.SIGNED),
    /** 8-bit float, 1 sign, 5 exponent, 2 mantissa bits (the top byte of an F16); has inf and NaN. */
    F8_E5M2(1, Kind.FLOAT),
    /** 8-bit float, 1 sign, 4 exponent (bias 7), 3 mantissa bits; no infinities, S.1111.111 is NaN. */
    F8_E4M3(1, Kind.FLOAT),
    I16(2, Kind.SIGNED),
    U16(2, Kind.UNSIGNED),
    /** IEEE 754 half precision. */
    F16(2, Kind.FLOAT),
    /** bfloat16: the top 16 bits of a float32. */
    BF16(2, Kind.FLOAT),
    I32(4, Kind.SIGNED),
    U32(4, Kind.UNSIGNED),
    F32(4, Kind.FLOAT),
    F64(8, Kind.FLOAT),
    I64(8, Kind.SIGNED),
    U64(8, Kind.UNSIGNED);

    private enum Kind { BOOL, SIGNED, UNSIGNED, FLOAT }

    private final int byteSize;
    private final Kind kind;

    DType(int byteSize, Kind kind) {
        this.byteSize = byteSize;
        this.kind = kind;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The name the safetensors header uses, e.g. {@code "BF16"}. */
    public String specName() {
        return name();
    }

    public boolean isFloatingPoint() {
        return kind == Kind.FLOAT;
    }

    /** True for the signed and unsigned integer types (not BOOL). */
    public boolean isInteger() {
        return kind == Kind.SIGNED || kind == Kind.UNSIGNED;
    }

    public boolean isUnsigned() {
        return kind == Kind.UNSIGNED;
    }

    /** True for the types a float32 tensor can be written as: F32, F64, F16 and BF16. */
    public boolean storesFloatTensors() {
        return this == F32 || this == F64 || this == F16 || this == BF16;
    }

    /** The type the header calls {@code specName}, if Hearth knows it (names are case-sensitive). */
    public static Optional<DType> fromSpecName(String specName) {
        for (DType t : values()) {
            if (t.name().equals(specName)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** "BOOL, U8, I8, ..." for error messages. */
    static String knownNames() {
        return Arrays.stream(values()).map(DType::specName).collect(Collectors.joining(", "));
    }
}
