package dev.hearth.guard.pii;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Bitcoin addresses: Base58Check (legacy and script) and bech32/bech32m (SegWit), checksums verified. */
final class CryptoRecognizer implements Recognizer {
    @Override
    public Set<EntityType> types() {
        return EnumSet.of(EntityType.CRYPTO);
    }

    @Override
    public void scan(String s, List<Finding> out) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (!Chars.alnum(c)) {
                i++;
                continue;
            }
            int j = i + 1;
            while (j < n && Chars.alnum(s.charAt(j))) {
                j++;
            }
            int len = j - i;
            if (len >= 26 && len <= 74 && Chars.boundaryBefore(s, i)) {
                String w = s.substring(i, j);
                if ((c == '1' || c == '3') && len <= 35 && Checksums.base58CheckAddress(w)) {
                    out.add(new Finding(EntityType.CRYPTO, i, j, 1.0, "pattern, Base58Check checksum"));
                } else if ((c == 'b' || c == 'B') && Checksums.bech32Address(w)) {
                    out.add(new Finding(EntityType.CRYPTO, i, j, 1.0, "pattern, bech32 checksum"));
                }
            }
            i = j;
        }
    }
}
