package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.StoredFiles;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import dev.hearth.guard.crypto.MasterKey;
import dev.hearth.lab.data.TokenDataset;
import dev.hearth.lab.data.TokenSplit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hearth crypt} end to end: a key made, a model folder and a prepared dataset encrypted in
 * place, loaded and used as before with the key set, rotated without touching their data,
 * decrypted back; and the errors a user meets.
 */
class CryptCommandTest {

    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run hearth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Hearth.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static Run ok(String... args) {
        Run r = hearth(args);
        assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
        return r;
    }

    @AfterEach
    void forgetKey() {
        System.clearProperty(MasterKey.FILE_PROPERTY);
    }

    private Path key(String name) {
        Path f = tmp.resolve(name);
        Run r = ok("crypt", "keygen", "--out", f.toString());
        assertThat(r.out()).startsWith("wrote " + f + ": master key " + MasterKey.read(f).id());
        return f;
    }

    private Path model() {
        CharTokenizer tok = CharTokenizer.train("the quick brown fox jumps over a lazy dog");
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 32, 2, 4, 2, 16, 64, 10000f, 1e-6f, false, false, false,
                0f), new Rng(3));
        Path dir = tmp.resolve("model");
        ModelFolder.save(dir, m, tok, new GenerationConfig(-1, List.of(), false, 1.0, 0, 1.0, 1.0, 16), Map.of());
        return dir;
    }

    private static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void keygenWritesAPrivateKeyFileAndNeverOverwritesIt() throws Exception {
        Path k = key("hearth.key");
        assertThat(Files.getPosixFilePermissions(k)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Run again = hearth("crypt", "keygen", "--out", k.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("error: ").contains("already exists; it is never overwritten");
    }

    @Test
    void anEncryptedModelFolderGeneratesAsBeforeAndRotatesWithoutTouchingItsData() throws Exception {
        Path dir = model();
        Path k1 = key("k1");
        Path k2 = key("k2");
        String id1 = MasterKey.read(k1).id();
        String id2 = MasterKey.read(k2).id();
        Map<String, byte[]> plain = files(dir);
        String expected = ok("generate", "--model", dir.toString(), "--prompt", "the quick").out();

        Run enc = ok("crypt", "encrypt", dir.toString(), "--key-file", k1.toString());
        assertThat(enc.out()).contains("model.safetensors").contains("encrypted 4 of 4 files")
                .contains("under master key " + id1);
        assertThat(files(dir).keySet()).isEqualTo(plain.keySet());
        for (String name : plain.keySet()) {
            assertThat(StoredFiles.isEncrypted(dir.resolve(name))).as(name).isTrue();
        }
        Run info = ok("crypt", "info", dir.toString());
        assertThat(info.out()).contains("encrypted, master key " + id1).contains("4 of 4 files encrypted");
        assertThat(ok("crypt", "encrypt", dir.toString(), "--key-file", k1.toString()).out())
                .contains("encrypted 0 of 4 files").contains("4 already encrypted");

        System.setProperty(MasterKey.FILE_PROPERTY, k1.toString());
        assertThat(ok("generate", "--model", dir.toString(), "--prompt", "the quick").out()).isEqualTo(expected);

        Map<String, byte[]> before = files(dir);
        Run rot = ok("crypt", "rotate", dir.toString(), "--key-file", k1.toString(), "--new-key-file", k2.toString());
        assertThat(rot.out()).contains("rotated 4 of 4 files").contains("from master key " + id1 + " to " + id2)
                .contains("data untouched");
        Map<String, byte[]> after = files(dir);
        before.forEach((name, b) -> {
            byte[] a = after.get(name);
            assertThat(Arrays.copyOfRange(a, 92, a.length)).as(name).isEqualTo(Arrays.copyOfRange(b, 92, b.length));
            assertThat(Arrays.copyOf(a, 24)).as(name).isEqualTo(Arrays.copyOf(b, 24));
        });

        Run oldKey = hearth("generate", "--model", dir.toString(), "--prompt", "the quick");
        assertThat(oldKey.code()).isEqualTo(1);
        assertThat(oldKey.err()).contains("error: ").contains("is encrypted under the master key with id " + id2)
                .contains("the key given has id " + id1);
        System.setProperty(MasterKey.FILE_PROPERTY, k2.toString());
        assertThat(ok("generate", "--model", dir.toString(), "--prompt", "the quick").out()).isEqualTo(expected);

        Run dec = ok("crypt", "decrypt", dir.toString(), "--key-file", k2.toString());
        assertThat(dec.out()).contains("decrypted 4 of 4 files");
        Map<String, byte[]> back = files(dir);
        plain.forEach((name, b) -> assertThat(back.get(name)).as(name).isEqualTo(b));
    }

    @Test
    void anEncryptedDatasetOpensWithTheSameTokensAndVerifies() throws Exception {
        Path text = tmp.resolve("corpus.txt");
        Files.writeString(text, "line of text number one, then two, then three and more\n".repeat(300));
        Path ds = tmp.resolve("dataset");
        ok("data", "prepare", text.toString(), "--out", ds.toString(), "--tokenizer", "char", "--shard-tokens", "4000");
        int[] trainIds;
        int[] valIds;
        try (TokenDataset d = TokenDataset.open(ds)) {
            trainIds = all(d.split("train"));
            valIds = all(d.split("val"));
        }
        Path k = key("k");
        Run enc = ok("crypt", "encrypt", ds.toString(), "--key-file", k.toString());
        assertThat(enc.out()).contains("manifest.json").contains("train-00000.bin").contains("tokenizer.json");

        Run noKey = hearth("crypt", "decrypt", ds.toString());
        if (System.getenv(MasterKey.ENV) == null && System.getenv(MasterKey.FILE_ENV) == null) {
            assertThat(noKey.code()).isEqualTo(1);
            assertThat(noKey.err()).contains("error: hearth crypt decrypt needs the master key")
                    .contains("--key-file").contains("HEARTH_MASTER_KEY").contains("HEARTH_KEY_FILE");
        }

        System.setProperty(MasterKey.FILE_PROPERTY, k.toString());
        try (TokenDataset d = TokenDataset.open(ds)) {
            assertThat(all(d.split("train"))).isEqualTo(trainIds);
            assertThat(all(d.split("val"))).isEqualTo(valIds);
            d.verify();
            assertThat(d.tokenizer().decode(Arrays.copyOf(trainIds, 20))).startsWith("line of text");
        }
    }

    @Test
    void anEncryptedDatasetWithoutItsKeySaysSo() throws Exception {
        assumeThat(System.getenv(MasterKey.ENV)).isNull();
        assumeThat(System.getenv(MasterKey.FILE_ENV)).isNull();
        Path text = tmp.resolve("corpus.txt");
        Files.writeString(text, "some words for a small dataset\n".repeat(100));
        Path ds = tmp.resolve("dataset");
        ok("data", "prepare", text.toString(), "--out", ds.toString(), "--tokenizer", "char");
        Path k = key("k");
        ok("crypt", "encrypt", ds.toString(), "--key-file", k.toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TokenDataset.open(ds))
                .hasMessageContaining(ds.resolve("manifest.json") + " is encrypted and no master key is set")
                .hasMessageContaining("HEARTH_MASTER_KEY").hasMessageContaining(MasterKey.read(k).id());
    }

    private static int[] all(TokenSplit s) {
        int[] ids = new int[(int) s.size()];
        s.read(0, ids, 0, ids.length);
        return ids;
    }

    @Test
    void aSingleFileIntoOutAndTheMistakesAUserMeets() throws Exception {
        Path k = key("k");
        Path other = key("other");
        Path f = Files.writeString(tmp.resolve("notes.txt"), "private notes\n".repeat(1000));
        byte[] plain = Files.readAllBytes(f);
        Path out = tmp.resolve("notes.txt.enc");

        Run enc = ok("crypt", "encrypt", f.toString(), "--out", out.toString(), "--key-file", k.toString());
        assertThat(enc.out()).isEqualTo("encrypted " + f + " (14.0 kB) into " + out + " under master key "
                + MasterKey.read(k).id() + "\n");
        assertThat(Files.readAllBytes(f)).isEqualTo(plain);
        Run exists = hearth("crypt", "encrypt", f.toString(), "--out", out.toString(), "--key-file", k.toString());
        assertThat(exists.code()).isEqualTo(1);
        assertThat(exists.err()).contains("already exists; it is never overwritten");

        byte[] sealed = Files.readAllBytes(out);
        Run wrong = hearth("crypt", "decrypt", out.toString(), "--key-file", other.toString());
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).contains("error: " + out + " is encrypted under the master key with id "
                + MasterKey.read(k).id() + ", but the key given has id " + MasterKey.read(other).id());
        assertThat(Files.readAllBytes(out)).isEqualTo(sealed);

        sealed[sealed.length - 5] ^= 1;
        Files.write(out, sealed);
        Run tampered = hearth("crypt", "decrypt", out.toString(), "--key-file", k.toString());
        assertThat(tampered.code()).isEqualTo(1);
        assertThat(tampered.err()).contains("error: file " + out + " was modified or is corrupt (segment 1 of 1");
        assertThat(Files.readAllBytes(out)).isEqualTo(sealed);
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".crypt-tmp"));
        }

        Run info = ok("crypt", "info", f.toString());
        assertThat(info.out()).contains("notes.txt").contains("plain").contains("0 of 1 files encrypted");
        Run notEncrypted = ok("crypt", "decrypt", f.toString(), "--key-file", k.toString());
        assertThat(notEncrypted.out()).contains("is not encrypted; left as it is");
        Run missing = hearth("crypt", "encrypt", tmp.resolve("nope").toString(), "--key-file", k.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("nope does not exist");
        Path folder = Files.createDirectories(tmp.resolve("folder"));
        Files.copy(k, folder.resolve("inside.key"));
        Run keyInside = hearth("crypt", "encrypt", folder.toString(), "--key-file", folder.resolve("inside.key")
                .toString());
        assertThat(keyInside.code()).isEqualTo(2);
        assertThat(keyInside.err()).contains("would be encrypted under itself and lost");
        Path workspace = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(workspace.resolve("hearth.db"), "SQLite format 3");
        Run whole = hearth("crypt", "encrypt", workspace.toString(), "--key-file", k.toString());
        assertThat(whole.code()).isEqualTo(1);
        assertThat(whole.err()).contains("the store of a Hearth workspace").contains("datasets/, models/ and runs/");
        assertThat(StoredFiles.isEncrypted(workspace.resolve("hearth.db"))).isFalse();
        Run noNewKey = hearth("crypt", "rotate", f.toString(), "--key-file", k.toString());
        assertThat(noNewKey.code()).isEqualTo(2);
        assertThat(noNewKey.err()).contains("--new-key-file");
    }
}
