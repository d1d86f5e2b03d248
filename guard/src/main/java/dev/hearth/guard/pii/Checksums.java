package dev.hearth.guard.pii;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The check digits that tell a real identifier from a random string of the same shape. Each
 * method takes the identifier without separators and also serves the fake-value generator, which
 * must produce identifiers that pass.
 */
public final class Checksums {
    private Checksums() {}

    /** Luhn (ISO/IEC 7812) over a string of digits. */
    public static boolean luhn(CharSequence digits) {
        int sum = 0;
        boolean dbl = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    /** The Luhn check digit to append to {@code payload}. */
    public static char luhnDigit(CharSequence payload) {
        for (char c = '0'; c <= '9'; c++) {
            if (luhn(payload + String.valueOf(c))) {
                return c;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** ISO 13616 IBAN check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
    public static boolean ibanMod97(CharSequence iban) {
        int n = iban.length();
        if (n < 5) {
            return false;
        }
        int rem = 0;
        for (int k = 0; k < n; k++) {
            char c = iban.charAt((k + 4) % n);
            if (Chars.digit(c)) {
                rem = (rem * 10 + (c - '0')) % 97;
            } else if (Chars.upper(c)) {
                int v = c - 'A' + 10;
                rem = (rem * 100 + v) % 97;
            } else {
                return false;
            }
        }
        return rem == 1;
    }

    /** The two IBAN check digits for a country code and a basic bank account number. */
    public static String ibanCheckDigits(String country, String bban) {
        String probe = bban + country + "00";
        int rem = 0;
        for (char c : probe.toCharArray()) {
            rem = Chars.digit(c) ? (rem * 10 + (c - '0')) % 97 : (rem * 100 + (c - 'A' + 10)) % 97;
        }
        int check = 98 - rem;
        return check < 10 ? "0" + check : Integer.toString(check);
    }

    private static final int[] GB11643_WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final char[] GB11643_CHECK = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

    /** The check character of an 18-character Chinese resident ID (GB 11643-1999) from its first 17 digits. */
    public static char gb11643(CharSequence first17) {
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (first17.charAt(i) - '0') * GB11643_WEIGHTS[i];
        }
        return GB11643_CHECK[sum % 11];
    }

    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final BigInteger FIFTY_EIGHT = BigInteger.valueOf(58);

    static boolean base58Char(char c) {
        return c < 128 && BASE58.indexOf(c) >= 0;
    }

    /** A Bitcoin legacy (P2PKH, version 0) or script (P2SH, version 5) address with a valid Base58Check checksum. */
    public static boolean base58CheckAddress(CharSequence s) {
        BigInteger v = BigInteger.ZERO;
        int zeros = 0;
        boolean leading = true;
        for (int i = 0; i < s.length(); i++) {
            int d = BASE58.indexOf(s.charAt(i));
            if (d < 0) {
                return false;
            }
            if (leading && d == 0) {
                zeros++;
            } else {
                leading = false;
            }
            v = v.multiply(FIFTY_EIGHT).add(BigInteger.valueOf(d));
        }
        byte[] raw = v.toByteArray();
        int skip = raw.length > 1 && raw[0] == 0 ? 1 : 0;
        byte[] bytes = new byte[zeros + raw.length - skip];
        System.arraycopy(raw, skip, bytes, zeros, raw.length - skip);
        if (bytes.length != 25 || (bytes[0] != 0 && bytes[0] != 5)) {
            return false;
        }
        byte[] hash = doubleSha256(Arrays.copyOf(bytes, 21));
        return Arrays.equals(Arrays.copyOf(hash, 4), Arrays.copyOfRange(bytes, 21, 25));
    }

    /** Base58Check encoding of a version byte and a 20-byte hash (for fake addresses). */
    public static String base58CheckEncode(byte version, byte[] hash20) {
        byte[] payload = new byte[25];
        payload[0] = version;
        System.arraycopy(hash20, 0, payload, 1, 20);
        System.arraycopy(doubleSha256(Arrays.copyOf(payload, 21)), 0, payload, 21, 4);
        StringBuilder sb = new StringBuilder();
        BigInteger v = new BigInteger(1, payload);
        while (v.signum() > 0) {
            BigInteger[] qr = v.divideAndRemainder(FIFTY_EIGHT);
            sb.append(BASE58.charAt(qr[1].intValue()));
            v = qr[0];
        }
        for (int i = 0; i < payload.length && payload[i] == 0; i++) {
            sb.append('1');
        }
        return sb.reverse().toString();
    }

    private static byte[] doubleSha256(byte[] data) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return md.digest(md.digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final int BECH32_CONST = 1;
    private static final int BECH32M_CONST = 0x2bc830a3;

    static boolean bech32Char(char c) {
        return c < 128 && BECH32.indexOf(Character.toLowerCase(c)) >= 0;
    }

    /** A SegWit address ({@code bc1...}, BIP 173 bech32 or BIP 350 bech32m) with a valid checksum. */
    public static boolean bech32Address(CharSequence s) {
        String a = s.toString();
        if (!a.equals(a.toLowerCase(java.util.Locale.ROOT)) && !a.equals(a.toUpperCase(java.util.Locale.ROOT))) {
            return false;
        }
        a = a.toLowerCase(java.util.Locale.ROOT);
        int sep = a.lastIndexOf('1');
        if (!a.startsWith("bc1") || sep != 2 || a.length() < 14 || a.length() > 74) {
            return false;
        }
        int[] values = new int[a.length() - 3];
        for (int i = 3; i < a.length(); i++) {
            int d = BECH32.indexOf(a.charAt(i));
            if (d < 0) {
                return false;
            }
            values[i - 3] = d;
        }
        int pm = bech32Polymod("bc", values);
        int witnessVersion = values[0];
        return (witnessVersion == 0 && pm == BECH32_CONST) || (witnessVersion > 0 && pm == BECH32M_CONST);
    }

    /** A bech32 (version 0) address for a 20-byte witness program (for fake addresses). */
    public static String bech32Encode(byte[] program20) {
        int[] five = new int[1 + (program20.length * 8 + 4) / 5];
        five[0] = 0;
        int acc = 0;
        int bits = 0;
        int k = 1;
        for (byte b : program20) {
            acc = (acc << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                five[k++] = (acc >> bits) & 31;
            }
        }
        if (bits > 0) {
            five[k++] = (acc << (5 - bits)) & 31;
        }
        int[] withCheck = Arrays.copyOf(five, k + 6);
        int pm = bech32Polymod("bc", withCheck) ^ BECH32_CONST;
        for (int i = 0; i < 6; i++) {
            withCheck[k + i] = (pm >> (5 * (5 - i))) & 31;
        }
        StringBuilder sb = new StringBuilder("bc1");
        for (int v : withCheck) {
            sb.append(BECH32.charAt(v));
        }
        return sb.toString();
    }

    private static int bech32Polymod(String hrp, int[] data) {
        int[] gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        int chk = 1;
        int[] prefix = new int[hrp.length() * 2 + 1];
        for (int i = 0; i < hrp.length(); i++) {
            prefix[i] = hrp.charAt(i) >> 5;
            prefix[i + hrp.length() + 1] = hrp.charAt(i) & 31;
        }
        for (int[] part : new int[][] {prefix, data}) {
            for (int v : part) {
                int top = chk >>> 25;
                chk = ((chk & 0x1ffffff) << 5) ^ v;
                for (int i = 0; i < 5; i++) {
                    if (((top >> i) & 1) != 0) {
                        chk ^= gen[i];
                    }
                }
            }
        }
        return chk;
    }
}
