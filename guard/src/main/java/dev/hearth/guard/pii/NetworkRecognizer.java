package dev.hearth.guard.pii;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * IPv6 addresses (all RFC 4291 text forms, embedded IPv4 included) and MAC addresses (six hex
 * pairs joined by {@code :} or {@code -}, or Cisco's three dot-joined quads). Candidates are runs
 * of hex digits, colons, hyphens and dots that contain a colon, hyphen or dot between hex digits.
 */
final class NetworkRecognizer implements Recognizer {
    @Override
    public Set<EntityType> types() {
        return EnumSet.of(EntityType.IP_ADDRESS, EntityType.MAC_ADDRESS);
    }

    @Override
    public void scan(String s, List<Finding> out) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            boolean start = (Chars.hex(c) || c == ':' && i + 1 < n && s.charAt(i + 1) == ':') && Chars.boundaryBefore(s, i);
            if (!start) {
                i++;
                if (Chars.alnum(c)) {
                    while (i < n && Chars.alnum(s.charAt(i))) {
                        i++; // inside a word: no address starts here
                    }
                }
                continue;
            }
            int j = i;
            int colons = 0;
            while (j < n && (Chars.hex(s.charAt(j)) || s.charAt(j) == ':' || s.charAt(j) == '.' || s.charAt(j) == '-')) {
                if (s.charAt(j) == ':') {
                    colons++;
                }
                j++;
            }
            while (j > i && (s.charAt(j - 1) == '.' || s.charAt(j - 1) == '-' || s.charAt(j - 1) == ':' && s.charAt(j - 2) != ':')) {
                j--;
            }
            if (j - i >= 14 || colons >= 2) {
                if (Chars.boundaryAfter(s, j)) {
                    String cand = s.substring(i, j);
                    if (mac(cand)) {
                        out.add(new Finding(EntityType.MAC_ADDRESS, i, j, 0.9, "pattern (MAC)"));
                    } else if (colons >= 2 && ipv6(cand)) {
                        out.add(new Finding(EntityType.IP_ADDRESS, i, j, 0.9, "pattern (IPv6)"));
                    }
                }
                i = j + 1;
            } else {
                i++;
                while (i < n && Chars.alnum(s.charAt(i))) {
                    i++;
                }
            }
        }
    }

    static boolean mac(String c) {
        if (c.length() == 17) {
            char sep = c.charAt(2);
            if (sep != ':' && sep != '-') {
                return false;
            }
            for (int k = 0; k < 17; k++) {
                if (k % 3 == 2 ? c.charAt(k) != sep : !Chars.hex(c.charAt(k))) {
                    return false;
                }
            }
            // Written only with digits and hyphens it looks like a phone number or a date: colons only then.
            return sep == ':' || c.chars().anyMatch(Character::isLetter);
        }
        if (c.length() == 14) {
            for (int k = 0; k < 14; k++) {
                if (k % 5 == 4 ? c.charAt(k) != '.' : !Chars.hex(c.charAt(k))) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    static boolean ipv6(String c) {
        String addr = c;
        int groupsNeeded = 8;
        int lastColon = addr.lastIndexOf(':');
        if (addr.indexOf('.') >= 0) {
            String v4 = addr.substring(lastColon + 1);
            String[] p = v4.split("\\.", -1);
            if (p.length != 4) {
                return false;
            }
            for (String q : p) {
                if (q.isEmpty() || q.length() > 3 || !q.chars().allMatch(Character::isDigit) || Integer.parseInt(q) > 255) {
                    return false;
                }
            }
            addr = addr.substring(0, lastColon + 1) + "0:0";
        }
        if (addr.indexOf('-') >= 0) {
            return false;
        }
        int dbl = addr.indexOf("::");
        if (dbl >= 0 && addr.indexOf("::", dbl + 1) >= 0) {
            return false;
        }
        String[] parts = addr.split(":", -1);
        int groups = 0;
        for (int k = 0; k < parts.length; k++) {
            String p = parts[k];
            if (p.isEmpty()) {
                boolean edge = (k == 0 || k == parts.length - 1) && dbl >= 0;
                boolean inDouble = dbl >= 0;
                if (!(edge || inDouble)) {
                    return false;
                }
                continue;
            }
            if (p.length() > 4) {
                return false;
            }
            groups++;
        }
        if (addr.startsWith(":") && !addr.startsWith("::") || addr.endsWith(":") && !addr.endsWith("::")) {
            return false;
        }
        return dbl >= 0 ? groups < groupsNeeded : groups == groupsNeeded;
    }
}
