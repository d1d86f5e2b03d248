package dev.hearth.guard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.generate.GenerationResult;
import dev.hearth.engine.generate.Generator;
import dev.hearth.engine.generate.SamplingParams;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.io.SafeTensors;
import dev.hearth.engine.io.StoredFiles;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An encrypted model folder loads through the engine's {@code StoredFiles} hook, found with
 * ServiceLoader, exactly as the plain one does, with the key named by {@code hearth.key.file};
 * without the key, with a wrong one, or with a changed byte it fails saying so.
 */
class EncryptedModelLoadingTest {

    @TempDir
    Path tmp;

    @AfterEach
    void forgetKey() {
        System.clearProperty(MasterKey.FILE_PROPERTY);
    }

    private Path keyFile(String name, MasterKey key) {
        Path f = tmp.resolve(name);
        key.write(f);
        return f;
    }

    private Path model() {
        CharTokenizer tok = CharTokenizer.train("the quick brown fox jumps over a lazy dog");
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 32, 2, 4, 2, 16, 64, 10000f, 1e-6f, false, false, false,
                0f), new Rng(7));
        Path dir = tmp.resolve("model");
        ModelFolder.save(dir, m, tok, GenerationConfig.defaults(-1, List.of()), Map.of("run", "test"));
        return dir;
    }

    private static GenerationResult generate(ModelFolder.Loaded loaded) {
        return new Generator(loaded.model(), loaded.tokenizer()).generate("the quick", SamplingParams.greedy(24));
    }

    @Test
    void anEncryptedModelLoadsAndGeneratesAsThePlainOne() throws IOException {
        Path dir = model();
        ModelFolder.Loaded plain = ModelFolder.load(dir);
        GenerationResult expected = generate(plain);
        Map<String, Tensor> plainWeights = SafeTensors.read(dir.resolve("model.safetensors"));

        MasterKey key = MasterKey.generate();
        EncryptedFolders.encrypt(dir, null, key, null);
        for (Path f : EncryptedFolders.files(dir)) {
            assertThat(StoredFiles.isEncrypted(f)).as(f.toString()).isTrue();
        }
        System.setProperty(MasterKey.FILE_PROPERTY, keyFile("k", key).toString());

        ModelFolder.Loaded loaded = ModelFolder.load(dir);
        assertThat(generate(loaded).tokenIds()).isEqualTo(expected.tokenIds());
        assertThat(generate(loaded).text()).isEqualTo(expected.text());
        Map<String, Tensor> weights = SafeTensors.read(dir.resolve("model.safetensors"));
        assertThat(weights.keySet()).isEqualTo(plainWeights.keySet());
        weights.forEach((name, t) -> assertThat(t.toFloatArray()).as(name)
                .isEqualTo(plainWeights.get(name).toFloatArray()));
        assertThat(SafeTensors.readMetadata(dir.resolve("model.safetensors"))).containsEntry("run", "test");
        assertThat(loaded.config()).isEqualTo(plain.config());
    }

    @Test
    void withoutTheKeyTheErrorSaysTheFileIsEncryptedAndHowToGiveTheKey() {
        assumeThat(System.getenv(MasterKey.ENV)).as("no key in the environment").isNull();
        assumeThat(System.getenv(MasterKey.FILE_ENV)).as("no key file in the environment").isNull();
        Path dir = model();
        MasterKey key = MasterKey.generate();
        EncryptedFolders.encrypt(dir, null, key, null);
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(KeyException.class)
                .hasMessageContaining(dir.resolve("config.json") + " is encrypted and no master key is set")
                .hasMessageContaining("set HEARTH_MASTER_KEY to the key with id " + key.id())
                .hasMessageContaining("HEARTH_KEY_FILE");
    }

    @Test
    void aWrongKeyIsNamedWithBothIds() {
        Path dir = model();
        MasterKey key = MasterKey.generate();
        MasterKey wrong = MasterKey.generate();
        EncryptedFolders.encrypt(dir, null, key, null);
        System.setProperty(MasterKey.FILE_PROPERTY, keyFile("wrong", wrong).toString());
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(KeyException.class)
                .hasMessageContaining("encrypted under the master key with id " + key.id())
                .hasMessageContaining("the key given has id " + wrong.id());
    }

    @Test
    void aChangedByteInTheWeightsIsCaught() throws IOException {
        Path dir = model();
        MasterKey key = MasterKey.generate();
        EncryptedFolders.encrypt(dir, null, key, null);
        Path weights = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(weights);
        b[b.length / 2] ^= 0x40;
        Files.write(weights, b);
        System.setProperty(MasterKey.FILE_PROPERTY, keyFile("k", key).toString());
        assertThatThrownBy(() -> ModelFolder.load(dir)).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("file " + weights + " was modified or is corrupt (segment 1 of 1");
    }
}
