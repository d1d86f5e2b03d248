package dev.hearth.store;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an API key may do: {@code USER} calls models, {@code ADMIN} manages, {@code AUDITOR} reads the audit log. */
public enum Role {
    USER,
    ADMIN,
    AUDITOR;

    /** Parses a role name, ignoring case and surrounding spaces. */
    public static Role parse(String s) {
        if (s != null) {
            String wanted = s.strip().toUpperCase(Locale.ROOT);
            for (Role role : values()) {
                if (role.name().equals(wanted)) {
                    return role;
                }
            }
        }
        throw new StoreException("unknown role '" + s + "': use one of " + names());
    }

    private static String names() {
        return Arrays.stream(values()).map(r -> r.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }
}
