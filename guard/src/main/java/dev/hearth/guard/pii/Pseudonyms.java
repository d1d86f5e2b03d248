package dev.hearth.guard.pii;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.guard.crypto.KeyException;
import dev.hearth.guard.crypto.MasterKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Consistent pseudonyms: the first distinct person becomes {@code <PERSON_1>}, the second
 * {@code <PERSON_2>}, and "John Smith" stays {@code <PERSON_1>} wherever he appears — in one
 * document, across a corpus, and across runs that share the mapping file. Values are matched
 * after Unicode normalisation, case folding and whitespace collapsing.
 *
 * <p>The mapping links pseudonyms to real values, so it is itself personal data: it is only ever
 * written encrypted (AES-256-GCM under a key derived from the master key), and it is what lets
 * {@code hearth pii deanonymize} restore the originals.
 */
public final class Pseudonyms {
    private static final byte[] MAGIC = "HEARTH-PSEUDONYMS-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<EntityType, Map<String, Integer>> numbers = new EnumMap<>(EntityType.class);
    private final Map<EntityType, List<String>> originals = new EnumMap<>(EntityType.class);

    /** The pseudonym of {@code value}, numbering it if it is new. */
    public synchronized String pseudonym(EntityType type, String value) {
        Map<String, Integer> m = numbers.computeIfAbsent(type, t -> new HashMap<>());
        String key = normalise(value);
        Integer n = m.get(key);
        if (n == null) {
            List<String> o = originals.computeIfAbsent(type, t -> new ArrayList<>());
            o.add(value);
            n = o.size();
            m.put(key, n);
        }
        return "<" + type.name() + "_" + n + ">";
    }

    /** The original value behind {@code <TYPE_n>}, or null when the mapping has none. */
    public synchronized String original(EntityType type, int number) {
        List<String> o = originals.get(type);
        return o == null || number < 1 || number > o.size() ? null : o.get(number - 1);
    }

    public synchronized int size() {
        return originals.values().stream().mapToInt(List::size).sum();
    }

    static String normalise(String value) {
        return Normalizer.normalize(value, Normalizer.Form.NFKC).strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** Loads an encrypted mapping, or returns an empty one when {@code file} does not exist. */
    public static Pseudonyms load(Path file, MasterKey key) {
        Pseudonyms p = new Pseudonyms();
        if (!Files.exists(file)) {
            return p;
        }
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PiiException("cannot read the pseudonym mapping " + file + ": " + e.getMessage(), e);
        }
        if (all.length < MAGIC.length + 12 + 16 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new PiiException(file + " is not a Hearth pseudonym mapping");
        }
        byte[] plain;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.derive("pii pseudonyms"), "AES"),
                    new GCMParameterSpec(128, all, MAGIC.length, 12));
            c.updateAAD(MAGIC);
            plain = c.doFinal(all, MAGIC.length + 12, all.length - MAGIC.length - 12);
        } catch (AEADBadTagException e) {
            throw new KeyException("the pseudonym mapping " + file + " does not open with master key " + key.id()
                    + ": the key is wrong, or the file was modified");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JDK", e);
        }
        try {
            JsonNode root = JSON.readTree(plain);
            root.fields().forEachRemaining(e -> {
                EntityType t = EntityType.parse(e.getKey());
                for (JsonNode v : e.getValue()) {
                    p.pseudonym(t, v.asText());
                }
            });
        } catch (IOException e) {
            throw new PiiException("the pseudonym mapping " + file + " is corrupt: " + e.getMessage(), e);
        }
        return p;
    }

    /** Writes the mapping encrypted, replacing {@code file} atomically. */
    public synchronized void save(Path file, MasterKey key) {
        ObjectNode root = JSON.createObjectNode();
        originals.forEach((t, values) -> {
            ArrayNode a = root.putArray(t.name());
            values.forEach(a::add);
        });
        try {
            byte[] plain = JSON.writeValueAsBytes(root);
            byte[] nonce = new byte[12];
            new SecureRandom().nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.derive("pii pseudonyms"), "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(MAGIC);
            byte[] ct = c.doFinal(plain);
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".pseudonyms", ".tmp");
            try {
                Files.write(tmp, concat(MAGIC, nonce, ct));
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new PiiException("cannot write the pseudonym mapping " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JDK", e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int k = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }
}
