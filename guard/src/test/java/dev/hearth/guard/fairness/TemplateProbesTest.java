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

class TemplateProbesTest {

    @TempDir
    Path tmp;

    private static final TemplateProbes.ProbeSet SET = new TemplateProbes.ProbeSet("t", List.of("male", "female"),
            List.of("nurse", "pilot"), List.of("The {x} said {he|she} was late.", "{He|She} is the {x}."));

    @Test
    void fillsTheSlotsAndThePairs() {
        assertThat(SET.sentence(SET.templates().get(0), "nurse", 0)).isEqualTo("The nurse said he was late.");
        assertThat(SET.sentence(SET.templates().get(1), "pilot", 1)).isEqualTo("She is the pilot.");
        TemplateProbes.ProbeSet zh = TemplateProbes.builtIn("gender-zh");
        assertThat(zh.sentence(zh.templates().get(0), "护士", 1)).isEqualTo("这位护士说她今天很忙。");
    }

    @Test
    void eachGapIsTheLogLikelihoodDifferenceAndSwappingTheGroupsNegatesIt() {
        CharTokenizer tok = CharTokenizer.train("The nurse pilot said he she was late. He She is the.");
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 64, 1, 2, 2, 16, 32, 10000f, 1e-6f, false, false, false, 0f),
                new Rng(4));
        m.eval();
        TemplateProbes.Result r = TemplateProbes.score(m, tok, -1, SET, k -> { });
        assertThat(r.probes()).isEqualTo(4);
        Perplexity ppl = new Perplexity(m, tok);
        double a = -ppl.evaluate("The pilot said he was late.", PerplexityOptions.DEFAULTS.withPrefixToken(-1)).totalNll();
        double b = -ppl.evaluate("The pilot said she was late.", PerplexityOptions.DEFAULTS.withPrefixToken(-1)).totalNll();
        TemplateProbes.FillerGap pilot = r.byFiller().stream().filter(f -> f.filler().equals("pilot")).findFirst().orElseThrow();
        assertThat(pilot.gaps()[0]).isCloseTo(a - b, within(1e-9));
        TemplateProbes.ProbeSet swapped = new TemplateProbes.ProbeSet("s", List.of("female", "male"), SET.fillers(),
                List.of("The {x} said {she|he} was late.", "{She|He} is the {x}."));
        assertThat(TemplateProbes.score(m, tok, -1, swapped, k -> { }).meanGap()).isCloseTo(-r.meanGap(), within(1e-9));
        assertThat(r.byFiller().get(0).meanGap()).isGreaterThanOrEqualTo(r.byFiller().get(1).meanGap());
    }

    @Test
    void aProbeSetReadsFromYamlAndBadOnesAreNamed() throws Exception {
        Path ok = tmp.resolve("age.yaml");
        Files.writeString(ok, """
                name: age
                groups: [young, old]
                fillers: [engineer, nurse]
                templates: ["The {young|old} {x} was hired."]
                """);
        assertThat(TemplateProbes.read(ok).groups()).containsExactly("young", "old");
        Path typo = tmp.resolve("typo.yaml");
        Files.writeString(typo, "name: a\ngroups: [a, b]\nfiller: [x]\ntemplates: ['{x} {a|b}']\n");
        assertThatThrownBy(() -> TemplateProbes.read(typo)).hasMessageContaining("unknown key 'filler'");
        assertThatThrownBy(() -> new TemplateProbes.ProbeSet("n", List.of("a", "b"), List.of("x"), List.of("no slot {a|b}")))
                .hasMessageContaining("has no {x} slot");
        assertThatThrownBy(() -> new TemplateProbes.ProbeSet("n", List.of("a", "b"), List.of("x"), List.of("{x} alone")))
                .hasMessageContaining("no {A|B} pair");
        assertThatThrownBy(() -> TemplateProbes.builtIn("age")).hasMessageContaining("gender-en");
    }
}
