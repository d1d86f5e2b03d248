package dev.hearth.guard.pii;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Identifiers written as one token of letters, digits and {@code : . -}, found in one pass over
 * the text's tokens:
 *
 * <ul>
 *   <li>IBAN_CODE: compact or in groups of four, checked against the length each country registers
 *       with SWIFT and the ISO 13616 mod-97 check digits;
 *   <li>CRYPTO: Bitcoin addresses, Base58Check (legacy and script) and bech32/bech32m (SegWit), with
 *       their checksums;
 *   <li>IP_ADDRESS (IPv6, every RFC 4291 text form, embedded IPv4 included) and MAC_ADDRESS (six
 *       hex pairs joined by {@code :} or {@code -}, or Cisco's three dot-joined quads).
 * </ul>
 *
 * IPv4 addresses are digit runs and belong to {@link NumberRecognizer}.
 */
final class TokenRecognizer implements Recognizer {
    /** Total IBAN lengths by country (SWIFT IBAN registry). */
    static final Map<String, Integer> LENGTHS = Map.ofEntries(
            Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
            Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BR", 29),
            Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24), Map.entry("DE", 22),
            Map.entry("DK", 18), Map.entry("DO", 28), Map.entry("EE", 20), Map.entry("EG", 29), Map.entry("ES", 24),
            Map.entry("FI", 18), Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22), Map.entry("GE", 22),
            Map.entry("GI", 23), Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28), Map.entry("HR", 21),
            Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IS", 26), Map.entry("IT", 27),
            Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20), Map.entry("LB", 28), Map.entry("LI", 21),
            Map.entry("LT", 20), Map.entry("LU", 20), Map.entry("LV", 21), Map.entry("MC", 27), Map.entry("MD", 24),
            Map.entry("ME", 22), Map.entry("MK", 19), Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30),
            Map.entry("NL", 18), Map.entry("NO", 15), Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29),
            Map.entry("PT", 25), Map.entry("QA", 29), Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("SA", 24),
            Map.entry("SE", 24), Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("TN", 24),
            Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VG", 24), Map.entry("XK", 20));

    @Override
    public Set<EntityType> types() {
        return EnumSet.of(EntityType.IBAN_CODE, EntityType.CRYPTO, EntityType.IP_ADDRESS, EntityType.MAC_ADDRESS);
    }

    private static boolean tokenChar(char c) {
        return Chars.alnum(c) || c == ':' || c == '.' || c == '-';
    }

    @Override
    public void scan(String s, List<Finding> out) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (!tokenChar(c)) {
                i++;
                continue;
            }
            // the token [i, j): letters, digits and : . - (preceded by neither)
            int j = i;
            int alnumEnd = -1;
            int colons = 0;
            boolean hexOnly = true;
            while (j < n) {
                char d = s.charAt(j);
                if (Chars.alnum(d)) {
                    hexOnly &= Chars.hex(d);
                } else if (d == ':' || d == '.' || d == '-') {
                    if (alnumEnd < 0) {
                        alnumEnd = j;
                    }
                    colons += d == ':' ? 1 : 0;
                } else {
                    break;
                }
                j++;
            }
            if (alnumEnd < 0) {
                alnumEnd = j;
            }
            int next = j;
            if (j - i >= 4 && Chars.upper(c) && Chars.upper(s.charAt(i + 1)) && Chars.digit(s.charAt(i + 2))
                    && Chars.digit(s.charAt(i + 3))) {
                int e = iban(s, i);
                if (e > 0) {
                    out.add(new Finding(EntityType.IBAN_CODE, i, e, 1.0, "pattern, country length, mod-97 checksum"));
                    next = Math.max(next, e);
                }
            }
            int len = alnumEnd - i;
            if (len >= 26 && len <= 74) {
                String w = s.substring(i, alnumEnd);
                if ((c == '1' || c == '3') && len <= 35 && Checksums.base58CheckAddress(w)) {
                    out.add(new Finding(EntityType.CRYPTO, i, alnumEnd, 1.0, "pattern, Base58Check checksum"));
                } else if ((c == 'b' || c == 'B') && Checksums.bech32Address(w)) {
                    out.add(new Finding(EntityType.CRYPTO, i, alnumEnd, 1.0, "pattern, bech32 checksum"));
                }
            }
            if (hexOnly && (colons >= 2 || j - i >= 14)) {
                network(s, i, j, colons, out);
            }
            i = next;
        }
    }

    /** A MAC or IPv6 address in the hex token [i, j), its trailing separators left out. */
    private static void network(String s, int i, int j, int colons, List<Finding> out) {
        while (j > i && (s.charAt(j - 1) == '.' || s.charAt(j - 1) == '-'
                || s.charAt(j - 1) == ':' && (j - 2 < i || s.charAt(j - 2) != ':'))) {
            j--;
        }
        if (j <= i) {
            return;
        }
        String cand = s.substring(i, j);
        if (mac(cand)) {
            out.add(new Finding(EntityType.MAC_ADDRESS, i, j, 0.9, "pattern (MAC)"));
        } else if (colons >= 2 && ipv6(cand)) {
            out.add(new Finding(EntityType.IP_ADDRESS, i, j, 0.9, "pattern (IPv6)"));
        }
    }

    /** The end of the IBAN starting at {@code i} (compact or grouped by fours), or -1. */
    private static int iban(String s, int i) {
        Integer len = LENGTHS.get(s.substring(i, i + 2));
        if (len == null) {
            return -1;
        }
        int n = s.length();
        StringBuilder compact = new StringBuilder(len);
        int j = i;
        while (j < n && compact.length() < len) {
            char c = s.charAt(j);
            if (Chars.digit(c) || Chars.upper(c)) {
                compact.append(c);
                j++;
            } else if (c == ' ' && compact.length() % 4 == 0 && j + 1 < n
                    && (Chars.digit(s.charAt(j + 1)) || Chars.upper(s.charAt(j + 1)))) {
                j++;
            } else {
                break;
            }
        }
        return compact.length() == len && Chars.boundaryAfter(s, j) && Checksums.ibanMod97(compact) ? j : -1;
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
