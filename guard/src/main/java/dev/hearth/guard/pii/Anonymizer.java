package dev.hearth.guard.pii;

import dev.hearth.guard.crypto.MasterKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Applies a policy's operators to the findings in a text. Safe to share between threads; the
 * pseudonym numbering is shared too, so that callers who need a reproducible numbering apply it in
 * record order (as {@link Scrubber} does).
 */
public final class Anonymizer {
    private final ScrubPolicy policy;
    private final Pseudonyms pseudonyms;
    private final byte[] hashKey;
    private final SecretKeySpec encryptKey;
    private final byte[] fakeKey;
    private final SecureRandom nonces = new SecureRandom();

    /**
     * @param key the master key; required when the policy hashes, pseudonymizes or encrypts
     *            (else may be null, and fake values then differ from run to run)
     */
    public Anonymizer(ScrubPolicy policy, MasterKey key, Pseudonyms pseudonyms) {
        if (key == null && policy.needsKey()) {
            List<String> needing = policy.types().stream()
                    .filter(t -> policy.operatorFor(t).kind().needsKey())
                    .map(t -> t.name() + " (" + policy.operatorFor(t).kind().name().toLowerCase(Locale.ROOT) + ")")
                    .sorted().toList();
            throw new PiiException("the policy's operators for " + String.join(", ", needing) + " need a secret key: set "
                    + MasterKey.ENV + " or pass --key-file FILE (make one with `hearth crypt keygen`)");
        }
        this.policy = policy;
        this.pseudonyms = pseudonyms;
        this.hashKey = key == null ? null : key.derive("pii hash");
        this.encryptKey = key == null ? null : new SecretKeySpec(key.derive("pii encrypt"), "AES");
        byte[] fk = new byte[32];
        if (key == null) {
            nonces.nextBytes(fk);
        } else {
            fk = key.derive("pii fake");
        }
        this.fakeKey = fk;
    }

    public ScrubPolicy policy() {
        return policy;
    }

    /** {@code text} with each finding replaced; {@code findings} ordered by start and not overlapping. */
    public String anonymize(String text, List<Finding> findings, TypeCounts counts) {
        if (findings.isEmpty()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16 * findings.size());
        int at = 0;
        for (Finding f : findings) {
            sb.append(text, at, f.start());
            String value = text.substring(f.start(), f.end());
            sb.append(apply(policy.operatorFor(f.type()), f.type(), value));
            if (counts != null) {
                counts.add(f.type());
            }
            at = f.end();
        }
        sb.append(text, at, text.length());
        return sb.toString();
    }

    /** What one operator makes of one value. */
    public String apply(Operator op, EntityType type, String value) {
        return switch (op.kind()) {
            case KEEP -> value;
            case REDACT -> "";
            case REPLACE -> op.value() != null ? op.value() : "<" + type.name() + ">";
            case MASK -> mask(value, op);
            case HASH -> HexFormat.of().formatHex(hmac(hashKey, type.name() + "\u0000" + Pseudonyms.normalise(value)))
                    .substring(0, op.hashChars());
            case PSEUDONYM -> pseudonyms.pseudonym(type, value);
            case ENCRYPT -> encrypt(type, value);
            case FAKE -> fake(type, value);
        };
    }

    private static String mask(String value, Operator op) {
        int[] cps = value.codePoints().toArray();
        int n = op.maskChars() == 0 ? cps.length : Math.min(op.maskChars(), cps.length);
        int mask = op.maskChar().codePointAt(0);
        for (int k = 0; k < n; k++) {
            cps[op.fromEnd() ? cps.length - 1 - k : k] = mask;
        }
        return new String(cps, 0, cps.length);
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** {@code <ENC:TYPE:base64url(nonce ‖ ciphertext ‖ tag)>}, the type bound as associated data. */
    private String encrypt(EntityType type, String value) {
        try {
            byte[] nonce = new byte[12];
            nonces.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, encryptKey, new GCMParameterSpec(128, nonce));
            c.updateAAD(type.name().getBytes(StandardCharsets.US_ASCII));
            byte[] ct = c.doFinal(value.getBytes(StandardCharsets.UTF_8));
            byte[] all = ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array();
            return "<ENC:" + type.name() + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(all) + ">";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JDK", e);
        }
    }

    // ---- fake values ----

    private String fake(EntityType type, String value) {
        RandomGenerator r = new SplittableRandom(ByteBuffer.wrap(hmac(fakeKey, type.name() + "\u0000" + value)).getLong());
        boolean cjk = value.chars().anyMatch(c -> Chars.cjk((char) c));
        return switch (type) {
            case PERSON -> cjk ? FakeValues.chineseName(r)
                    : value.contains(" ") ? FakeValues.englishName(r) : FakeValues.pick(r, FakeValues.EN_GIVEN);
            case LOCATION -> cjk ? FakeValues.pick(r, FakeValues.ZH_PLACES)
                    : Chars.digit(value.charAt(0)) ? FakeValues.englishAddress(r) : FakeValues.pick(r, FakeValues.EN_PLACES);
            case EMAIL_ADDRESS -> FakeValues.email(r);
            case URL -> (value.startsWith("http://") ? "http://" : "https://") + "www.example.com/" + r.nextInt(1_000_000);
            case CREDIT_CARD -> {
                String d = substituteDigits(value, r, 1);
                int last = lastDigitIndex(d);
                String digitsOnly = d.replaceAll("\\D", "");
                yield d.substring(0, last) + Checksums.luhnDigit(digitsOnly.substring(0, digitsOnly.length() - 1))
                        + d.substring(last + 1);
            }
            case CN_RESIDENT_ID -> FakeValues.residentId(r);
            case IBAN_CODE -> fakeIban(value, r);
            case CRYPTO -> {
                byte[] h = new byte[20];
                r.nextBytes(h);
                yield value.toLowerCase(Locale.ROOT).startsWith("bc1") ? Checksums.bech32Encode(h)
                        : Checksums.base58CheckEncode(value.charAt(0) == '3' ? (byte) 5 : (byte) 0, h);
            }
            case IP_ADDRESS -> value.indexOf(':') >= 0 ? substituteHex(value, r)
                    : (10 + r.nextInt(200)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
            case MAC_ADDRESS -> substituteHex(value, r);
            case US_SSN -> {
                String ssn = FakeValues.ssn(r);
                yield value.indexOf('-') >= 0 ? ssn : value.indexOf(' ') >= 0 ? ssn.replace('-', ' ') : ssn.replace("-", "");
            }
            case PHONE_NUMBER -> substituteDigits(value, r, 3);
            case DATE_TIME -> fakeDate(value, r);
        };
    }

    private static int lastDigitIndex(String s) {
        for (int k = s.length() - 1; k >= 0; k--) {
            if (Chars.digit(s.charAt(k))) {
                return k;
            }
        }
        throw new IllegalStateException("no digit in " + s.length() + " characters");
    }

    /** Replaces every digit after the first {@code keep} with a random one; separators and letters stay. */
    static String substituteDigits(String v, RandomGenerator r, int keep) {
        StringBuilder sb = new StringBuilder(v.length());
        int seen = 0;
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            if (Chars.digit(c) && seen++ >= keep) {
                sb.append((char) ('0' + r.nextInt(10)));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String substituteHex(String v, RandomGenerator r) {
        StringBuilder sb = new StringBuilder(v.length());
        String digits = "0123456789abcdef";
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            if (Chars.hex(c)) {
                char d = digits.charAt(r.nextInt(16));
                sb.append(Character.isUpperCase(c) ? Character.toUpperCase(d) : d);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String fakeIban(String value, RandomGenerator r) {
        String compact = value.replace(" ", "");
        String country = compact.substring(0, 2);
        String bban = substituteDigits(compact.substring(4), r, 0);
        String iban = country + Checksums.ibanCheckDigits(country, bban) + bban;
        return value.indexOf(' ') >= 0 ? iban.replaceAll("(.{4})(?=.)", "$1 ") : iban;
    }

    private static final List<DateTimeFormatter> DATE_FORMATS = List.of(
            DateTimeFormatter.ofPattern("uuuu-MM-dd", Locale.ENGLISH), DateTimeFormatter.ofPattern("uuuu/MM/dd", Locale.ENGLISH),
            DateTimeFormatter.ofPattern("MM/dd/uuuu", Locale.ENGLISH), DateTimeFormatter.ofPattern("dd.MM.uuuu", Locale.ENGLISH),
            DateTimeFormatter.ofPattern("MMMM d, uuuu", Locale.ENGLISH), DateTimeFormatter.ofPattern("d MMMM uuuu", Locale.ENGLISH),
            DateTimeFormatter.ofPattern("MMM d, uuuu", Locale.ENGLISH), DateTimeFormatter.ofPattern("d MMM uuuu", Locale.ENGLISH),
            DateTimeFormatter.ofPattern("uuuu年M月d日", Locale.CHINESE));

    /** A date moved by up to a year either way in the same format; anything else keeps its shape with new digits. */
    private static String fakeDate(String value, RandomGenerator r) {
        for (DateTimeFormatter f : DATE_FORMATS) {
            try {
                LocalDate d = LocalDate.parse(value, f);
                long shift = r.nextLong(1, 366) * (r.nextBoolean() ? 1 : -1);
                return d.plusDays(shift).format(f);
            } catch (DateTimeParseException notThisFormat) {
                // try the next
            }
        }
        StringBuilder sb = new StringBuilder(value.length());
        boolean groupStart = true;
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            if (Chars.digit(c)) {
                sb.append(groupStart ? c : (char) ('0' + r.nextInt(10)));
                groupStart = false;
            } else {
                sb.append(c);
                groupStart = true;
            }
        }
        return sb.toString();
    }
}
