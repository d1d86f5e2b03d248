package dev.hearth.guard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a master key comes from: --key-file, HEARTH_MASTER_KEY or HEARTH_KEY_FILE, never a guess between two. */
class MasterKeyTest {

    @TempDir
    Path tmp;

    @Test
    void findsTheKeyInTheOrderDocumented() {
        MasterKey a = MasterKey.generate();
        MasterKey b = MasterKey.generate();
        Path fileA = tmp.resolve("a.key");
        a.write(fileA);
        assertThat(MasterKey.find(null, Map.of())).isEmpty();
        assertThat(MasterKey.find(null, Map.of(MasterKey.ENV, b.encoded())).orElseThrow().id()).isEqualTo(b.id());
        assertThat(MasterKey.find(null, Map.of(MasterKey.FILE_ENV, fileA.toString())).orElseThrow().id())
                .isEqualTo(a.id());
        assertThat(MasterKey.find(fileA, Map.of(MasterKey.ENV, b.encoded())).orElseThrow().id()).isEqualTo(a.id());
        assertThatThrownBy(() -> MasterKey.find(null, Map.of(MasterKey.ENV, b.encoded(), MasterKey.FILE_ENV,
                fileA.toString()))).isInstanceOf(KeyException.class).hasMessageContaining("both");
        assertThatThrownBy(() -> MasterKey.require(null, Map.of(), "hearth crypt encrypt"))
                .isInstanceOf(KeyException.class).hasMessageContaining("HEARTH_MASTER_KEY")
                .hasMessageContaining("HEARTH_KEY_FILE").hasMessageContaining("--key-file");
    }

    @Test
    void aKeyFileIsNeverOverwrittenAndReadsBack() {
        MasterKey k = MasterKey.generate();
        Path f = tmp.resolve("k");
        k.write(f);
        assertThat(MasterKey.read(f).id()).isEqualTo(k.id());
        assertThatThrownBy(() -> MasterKey.generate().write(f)).isInstanceOf(KeyException.class)
                .hasMessageContaining("never overwritten");
        assertThat(MasterKey.parse(java.util.HexFormat.of().formatHex(k.bytes()), "hex").id()).isEqualTo(k.id());
    }
}
