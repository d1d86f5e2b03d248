package dev.hearth.engine.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.autograd.Autograd;
import dev.hearth.engine.io.CheckpointException;
import dev.hearth.engine.io.TaggerFolder;
import dev.hearth.engine.ops.Losses;
import dev.hearth.engine.optim.Adam;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenTaggerTest {
    private static final CharVocabulary VOCAB = new CharVocabulary("abcxyz!. ".codePoints().toArray());

    /** Tag 1 marks a letter followed by '!', tag 2 a letter preceded by '.', else 0: it needs both directions. */
    private static int[] gold(String s) {
        int[] y = new int[s.length()];
        for (int i = 0; i < s.length(); i++) {
            if (Character.isLetter(s.charAt(i))) {
                y[i] = i + 1 < s.length() && s.charAt(i + 1) == '!' ? 1 : i > 0 && s.charAt(i - 1) == '.' ? 2 : 0;
            }
        }
        return y;
    }

    private static String randomText(Rng r, int len) {
        String alphabet = "abcxyz!. ";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void learnsATaskThatNeedsBothDirectionsAndPadsWithoutLeaking() {
        TokenTagger m = new TokenTagger(new TokenTagger.Config(VOCAB.size(), 8, 16, 3), new Rng(3));
        Adam opt = new Adam(m.parameters(), 0.02, Adam.Config.defaults());
        Rng r = new Rng(4);
        for (int step = 0; step < 150; step++) {
            int n = 8;
            int time = 12;
            int[] ids = new int[n * time];
            int[] shapes = new int[n * time];
            int[] y = new int[n * time];
            int[] lengths = new int[n];
            java.util.Arrays.fill(y, -100);
            for (int b = 0; b < n; b++) {
                String s = randomText(r, 6 + r.nextInt(7));
                lengths[b] = s.length();
                CharVocabulary.Encoded e = VOCAB.encode(s);
                System.arraycopy(e.ids(), 0, ids, b * time, s.length());
                System.arraycopy(e.shapes(), 0, shapes, b * time, s.length());
                System.arraycopy(gold(s), 0, y, b * time, s.length());
            }
            Tensor loss = Losses.crossEntropy(m.forward(ids, shapes, n, time, lengths), y, -100, 0f);
            loss.backward();
            opt.step();
            opt.zeroGrad();
        }
        m.eval();
        TokenTagger.Frozen f = m.frozen();
        int right = 0;
        int total = 0;
        Rng test = new Rng(99);
        for (int k = 0; k < 50; k++) {
            String s = randomText(test, 10);
            CharVocabulary.Encoded e = VOCAB.encode(s);
            float[] p = f.probabilities(e.ids(), e.shapes());
            int[] y = gold(s);
            for (int i = 0; i < s.length(); i++) {
                int best = p[i * 3 + 1] > p[i * 3] ? (p[i * 3 + 2] > p[i * 3 + 1] ? 2 : 1) : (p[i * 3 + 2] > p[i * 3] ? 2 : 0);
                right += best == y[i] ? 1 : 0;
                total++;
            }
        }
        assertThat((double) right / total).isGreaterThan(0.97);

        // The batched, padded forward agrees with the frozen one-text path, padding included.
        String a = "ab!.c";
        String b = "x.yz!abc";
        int time = 8;
        int[] ids = new int[2 * time];
        int[] shapes = new int[2 * time];
        CharVocabulary.Encoded ea = VOCAB.encode(a);
        CharVocabulary.Encoded eb = VOCAB.encode(b);
        System.arraycopy(ea.ids(), 0, ids, 0, a.length());
        System.arraycopy(ea.shapes(), 0, shapes, 0, a.length());
        System.arraycopy(eb.ids(), 0, ids, time, b.length());
        System.arraycopy(eb.shapes(), 0, shapes, time, b.length());
        float[] logits;
        try (Autograd.Scope s = Autograd.noGrad()) {
            logits = m.forward(ids, shapes, 2, time, new int[] {a.length(), b.length()}).softmax(2).toFloatArray();
        }
        float[] pa = f.probabilities(ea.ids(), ea.shapes());
        float[] pb = f.probabilities(eb.ids(), eb.shapes());
        for (int i = 0; i < a.length() * 3; i++) {
            assertThat(logits[i]).isCloseTo(pa[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
        for (int i = 0; i < b.length() * 3; i++) {
            assertThat(logits[time * 3 + i]).isCloseTo(pb[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void encodesCodePointsNotCharsAndMapsUnknownsToOne() {
        CharVocabulary v = new CharVocabulary(new int[] {'A', 0x738B, 0x1F600});
        CharVocabulary.Encoded e = v.encode("A王😀b");
        assertThat(e.length()).isEqualTo(4);
        assertThat(e.ids()).containsExactly(2, 3, 4, TokenTagger.UNKNOWN);   // sorted: A, 王, 😀
        assertThat(e.shapes()).containsExactly(1, 4, 7, 2);
        assertThatThrownBy(() -> new CharVocabulary(new int[] {65, 65})).isInstanceOf(HearthException.class)
                .hasMessageContaining("repeated");
    }

    @Test
    void savesAndLoadsAndRefusesFoldersThatAreNotItsOwn(@TempDir Path dir) throws Exception {
        TokenTagger m = new TokenTagger(new TokenTagger.Config(VOCAB.size(), 4, 5, 3), new Rng(1));
        m.eval();
        Path folder = dir.resolve("tagger");
        TaggerFolder.save(folder, m, VOCAB, List.of("O", "B-X", "I-X"), Map.of("seed", 1));
        TaggerFolder.Loaded back = TaggerFolder.load(folder);
        assertThat(back.tags()).containsExactly("O", "B-X", "I-X");
        assertThat(back.training().path("seed").asInt()).isEqualTo(1);
        CharVocabulary.Encoded e = VOCAB.encode("abc!x");
        assertThat(back.model().frozen().probabilities(e.ids(), e.shapes()))
                .containsExactly(m.frozen().probabilities(e.ids(), e.shapes()));
        assertThat(back.vocabulary().encode("abc!x").ids()).containsExactly(e.ids());

        assertThatThrownBy(() -> TaggerFolder.load(dir.resolve("nothing"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a model folder");
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(folder.resolve("config.json").toFile());
        Path gpt = dir.resolve("gpt");
        Files.createDirectories(gpt);
        json.writeValue(gpt.resolve("config.json").toFile(), config.deepCopy().put("model_type", "gpt2"));
        assertThatThrownBy(() -> TaggerFolder.load(gpt)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not \"token_tagger\"");
        json.writeValue(folder.resolve("vocab.json").toFile(), json.createObjectNode().set("code_points",
                json.valueToTree(new int[] {97, 98})));
        assertThatThrownBy(() -> TaggerFolder.load(folder)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("different trainings");
    }
}
