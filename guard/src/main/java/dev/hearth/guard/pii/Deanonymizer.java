package dev.hearth.guard.pii;

import dev.hearth.guard.crypto.KeyException;
import dev.hearth.guard.crypto.MasterKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Restores what {@code encrypt} and {@code pseudonym} replaced: {@code <ENC:TYPE:...>} tokens are
 * decrypted with the master key, and {@code <TYPE_n>} pseudonyms are looked up in the (decrypted)
 * mapping. Tokens that are not Hearth's are left alone; a token that fails to decrypt is an error,
 * because it means a wrong key or an altered text.
 */
public final class Deanonymizer {
    private static final Pattern ENCRYPTED = Pattern.compile("<ENC:([A-Z_]+):([A-Za-z0-9_-]{38,})>");
    private static final Pattern PSEUDONYM = Pattern.compile("<([A-Z_]+)_(\\d{1,9})>");

    private final SecretKeySpec key;
    private final String keyId;
    private final Pseudonyms pseudonyms;

    public Deanonymizer(MasterKey key, Pseudonyms pseudonyms) {
        this.key = new SecretKeySpec(key.derive("pii encrypt"), "AES");
        this.keyId = key.id();
        this.pseudonyms = pseudonyms;
    }

    public String deanonymize(String text) {
        String out = replace(ENCRYPTED, text, m -> decrypt(m.group(1), m.group(2)));
        if (pseudonyms == null) {
            return out;
        }
        return replace(PSEUDONYM, out, m -> {
            EntityType t;
            try {
                t = EntityType.valueOf(m.group(1));
            } catch (IllegalArgumentException notOurs) {
                return m.group();
            }
            String v = pseudonyms.original(t, Integer.parseInt(m.group(2)));
            return v == null ? m.group() : v;
        });
    }

    private static String replace(Pattern p, String text, java.util.function.Function<Matcher, String> f) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        do {
            m.appendReplacement(sb, Matcher.quoteReplacement(f.apply(m)));
        } while (m.find());
        m.appendTail(sb);
        return sb.toString();
    }

    private String decrypt(String type, String payload) {
        byte[] all;
        try {
            all = Base64.getUrlDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw new PiiException("an encrypted " + type + " token is not valid base64; the text was altered");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
            c.updateAAD(type.getBytes(StandardCharsets.US_ASCII));
            return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new KeyException("an encrypted " + type + " value does not open with master key " + keyId
                    + ": the key is not the one it was encrypted with, or the token was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JDK", e);
        }
    }
}
