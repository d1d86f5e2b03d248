package dev.hearth.guard.pii;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The kinds of personal data Hearth finds; Presidio's names where Presidio has one. */
public enum EntityType {
    PERSON, LOCATION, EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, IP_ADDRESS, MAC_ADDRESS, URL,
    US_SSN, CN_RESIDENT_ID, DATE_TIME, CRYPTO;

    /** Parses a type name, failing with the list of known names. */
    public static EntityType parse(String name) {
        try {
            return valueOf(name.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PiiException("unknown entity type '" + name + "'; the known types are "
                    + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }
}
