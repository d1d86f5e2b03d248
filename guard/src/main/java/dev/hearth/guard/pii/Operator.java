package dev.hearth.guard.pii;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What to put in place of a finding.
 *
 * @param kind      the operator
 * @param maskChars for {@code mask}: how many characters to mask (code points; 0 = all)
 * @param fromEnd   for {@code mask}: mask from the end rather than from the start
 * @param maskChar  for {@code mask}: the masking character
 * @param hashChars for {@code hash}: how many hex characters of the HMAC to keep (8..64)
 * @param value     for {@code replace}: the replacement; {@code null} means the type tag {@code <TYPE>}
 */
public record Operator(Kind kind, int maskChars, boolean fromEnd, String maskChar, int hashChars, String value) {
    public enum Kind {
        /** Leave the text as it is (the finding is still counted in the report). */
        KEEP,
        /** Remove the text. */
        REDACT,
        /** Replace with the type tag, {@code <EMAIL_ADDRESS>}, or a fixed value. */
        REPLACE,
        /** Overwrite some or all characters with a masking character. */
        MASK,
        /** HMAC-SHA256 under a secret key: the same value always gives the same hash, which only the key holder can link. */
        HASH,
        /** {@code <PERSON_1>}: one number per distinct value of each type, kept across a whole corpus. */
        PSEUDONYM,
        /** AES-256-GCM, reversible with {@code hearth pii deanonymize} and the key. */
        ENCRYPT,
        /** A realistic value of the same type and format (valid check digits), the same for the same value. */
        FAKE;

        static Kind parse(String name) {
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new PiiException("unknown operator '" + name + "'; the operators are "
                        + Arrays.stream(values()).map(k -> k.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
            }
        }

        /** True when this operator needs the master key. */
        boolean needsKey() {
            return this == HASH || this == PSEUDONYM || this == ENCRYPT;
        }
    }

    public Operator {
        if (maskChars < 0) {
            throw new PiiException("mask chars must be ≥ 0 (0 masks everything), not " + maskChars);
        }
        if (kind == Kind.MASK && (maskChar == null || maskChar.codePointCount(0, maskChar.length()) != 1)) {
            throw new PiiException("the masking character must be exactly one character, not '" + maskChar + "'");
        }
        if (kind == Kind.HASH && (hashChars < 8 || hashChars > 64)) {
            throw new PiiException("hash length must be 8..64 hex characters, not " + hashChars);
        }
    }

    public static Operator of(Kind kind) {
        return new Operator(kind, 0, false, "*", 16, null);
    }

    public static Operator mask(int chars, boolean fromEnd, String maskChar) {
        return new Operator(Kind.MASK, chars, fromEnd, maskChar, 16, null);
    }
}
