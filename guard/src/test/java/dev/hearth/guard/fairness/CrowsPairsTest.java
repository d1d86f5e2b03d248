package dev.hearth.guard.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.engine.generate.Perplexity;
import dev.hearth.engine.generate.PerplexityOptions;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrowsPairsTest {
    @TempDir
    Path dir;

    @Test
    void eachPairGoesToTheSentenceWithTheHigherLogLikelihood() throws Exception {
        Path csv = dir.resolve("pairs.csv");
        Files.writeString(csv, """
                ,sent_more,sent_less,stereo_antistereo,bias_type,annotations,anon_writer,anon_annotators
                0,aaaa bb,aaaa cc,stereo,age,"[['age']]",a0,"['a1']"
                1,"the cat sat, it said",the dog sat,antistereo,gender,"[['gender']]",a1,"['a2']"
                2,abc abc,abc abd,stereo,age,"[['age']]",a2,"['a3']"
                """);
        List<CrowsPairs.Pair> pairs = CrowsPairs.read(csv);
        assertThat(pairs).hasSize(3);
        assertThat(pairs.get(1).more()).isEqualTo("the cat sat, it said");
        CharTokenizer tok = CharTokenizer.train("abcdefghijklmnopqrstuvwxyz ,");
        Llama model = new Llama(new Llama.Config(tok.vocabSize(), 32, 1, 2, 1, 16, 32, 10000f, 1e-6f, false, false, false,
                0f), new Rng(3));
        int[] done = {0};
        CrowsPairs.Result r = CrowsPairs.score(model, tok, -1, pairs, n -> done[0] = n);
        assertThat(done[0]).isEqualTo(3);
        Perplexity ppl = new Perplexity(model, tok);
        int prefer = 0;
        for (int i = 0; i < 3; i++) {
            double more = -ppl.evaluate(pairs.get(i).more(), PerplexityOptions.DEFAULTS).totalNll();
            assertThat(r.moreLogLikelihood()[i]).isCloseTo(more, within(1e-9));
            prefer += more > r.lessLogLikelihood()[i] ? 1 : 0;
        }
        assertThat(r.overall().preferMore()).isEqualTo(prefer);
        assertThat(r.byType()).containsOnlyKeys("age", "gender");
        assertThat(r.byType().get("age").pairs()).isEqualTo(2);
    }

    @Test
    void wilsonIntervals() {
        CrowsPairs.Share s = CrowsPairs.Share.of(100, 60, 0);
        assertThat(s.share()).isEqualTo(0.6);
        assertThat(s.low()).isCloseTo(0.502, within(0.001));   // Wilson 95% for 60/100
        assertThat(s.high()).isCloseTo(0.691, within(0.001));
    }

    @Test
    void notACrowsPairsFile() throws Exception {
        Path csv = dir.resolve("x.csv");
        Files.writeString(csv, "a,b\n1,2\n");
        assertThatThrownBy(() -> CrowsPairs.read(csv)).hasMessageContaining("no column sent_more");
        assertThatThrownBy(() -> CrowsPairs.read(dir.resolve("none.csv"))).hasMessageContaining("does not exist");
    }
}
