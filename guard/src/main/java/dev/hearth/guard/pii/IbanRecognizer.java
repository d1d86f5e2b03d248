package dev.hearth.guard.pii;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * International bank account numbers, compact or in groups of four, checked against the length
 * each country registers with SWIFT and the ISO 13616 mod-97 check digits.
 */
final class IbanRecognizer implements Recognizer {
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
        return EnumSet.of(EntityType.IBAN_CODE);
    }

    @Override
    public void scan(String s, List<Finding> out) {
        int n = s.length();
        for (int i = 0; i + 4 <= n; i++) {
            if (!(Chars.upper(s.charAt(i)) && Chars.upper(s.charAt(i + 1)) && Chars.digit(s.charAt(i + 2))
                    && Chars.digit(s.charAt(i + 3)) && Chars.boundaryBefore(s, i))) {
                continue;
            }
            Integer len = LENGTHS.get(s.substring(i, i + 2));
            if (len == null) {
                continue;
            }
            StringBuilder compact = new StringBuilder(len);
            int j = i;
            int end = -1;
            while (j < n && compact.length() < len) {
                char c = s.charAt(j);
                if (Chars.digit(c) || Chars.upper(c)) {
                    compact.append(c);
                    j++;
                } else if (c == ' ' && compact.length() % 4 == 0 && j + 1 < n && (Chars.digit(s.charAt(j + 1)) || Chars.upper(s.charAt(j + 1)))) {
                    j++;
                } else {
                    break;
                }
            }
            if (compact.length() == len && Chars.boundaryAfter(s, j)) {
                end = j;
            }
            if (end > 0 && Checksums.ibanMod97(compact)) {
                out.add(new Finding(EntityType.IBAN_CODE, i, end, 1.0, "pattern, country length, mod-97 checksum"));
                i = end - 1;
            }
        }
    }
}
