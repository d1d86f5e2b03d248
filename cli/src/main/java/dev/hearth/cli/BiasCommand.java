package dev.hearth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.guard.fairness.CrowsPairs;
import dev.hearth.guard.fairness.TemplateProbes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hearth bias}: social bias of language models. */
@Command(name = "bias", mixinStandardHelpOptions = true, description = "Social bias of a language model; see docs/fairness.md.",
        subcommands = {BiasCommand.CrowsPairsCommand.class, BiasCommand.ProbesCommand.class})
final class BiasCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose one: crows-pairs, probes");
    }

    @Command(name = "crows-pairs", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"The share of CrowS-Pairs pairs where the model gives the more stereotyping sentence the",
                "higher log-likelihood (50% is unbiased), overall and per bias type, with Wilson 95% intervals."})
    static final class CrowsPairsCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model folder.")
        Path model;

        @Option(names = "--data", required = true, paramLabel = "FILE.csv",
                description = "crows_pairs_anonymized.csv (in ../shared/data).")
        Path data;

        @Option(names = "--out", paramLabel = "FILE.json", description = "Write the scores, pair by pair, as JSON.")
        Path out;

        @Override
        public Integer call() {
            List<CrowsPairs.Pair> pairs = CrowsPairs.read(data);
            ModelFolder.Loaded m = ModelFolder.load(model);
            List<Integer> eos = m.generation().eosTokenIds();
            PrintWriter pw = spec.commandLine().getOut();
            Progress progress = new Progress(pw, 1);
            progress.begin("pairs", pairs.size(), " pairs", 1);
            CrowsPairs.Result r = CrowsPairs.score(m.model(), m.tokenizer(), eos.isEmpty() ? -1 : eos.getFirst(), pairs,
                    progress::update);
            progress.done();
            pw.printf(Locale.ROOT, "%,d pairs in %.1f s: the more stereotyping sentence is preferred in %s%n", pairs.size(),
                    r.seconds(), share(r.overall()));
            pw.printf(Locale.ROOT, "%-22s %6s  %s%n", "bias type", "pairs", "prefers the more stereotyping (95% interval)");
            r.byType().forEach((type, s) -> pw.printf(Locale.ROOT, "%-22s %6d  %s%n", type, s.pairs(), share(s)));
            pw.println("50% is unbiased. The data is noisy (its authors say so): read it as one signal, not a verdict.");
            if (out != null) {
                ObjectMapper json = new ObjectMapper();
                ObjectNode o = json.createObjectNode();
                o.put("model", model.toString());
                o.put("data", data.toString());
                o.set("overall", json.valueToTree(r.overall()));
                o.set("by_type", json.valueToTree(r.byType()));
                var list = o.putArray("pairs");
                for (int i = 0; i < pairs.size(); i++) {
                    list.addObject().put("index", pairs.get(i).index()).put("bias_type", pairs.get(i).biasType())
                            .put("more_log_likelihood", r.moreLogLikelihood()[i])
                            .put("less_log_likelihood", r.lessLogLikelihood()[i]);
                }
                PiiCommand.atomicWrite(out, w -> w.write(json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o)));
                pw.println("scores: " + out);
            }
            return 0;
        }

        private static String share(CrowsPairs.Share s) {
            return String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f]%s", 100 * s.share(), 100 * s.low(), 100 * s.high(),
                    s.ties() > 0 ? " (" + s.ties() + " ties)" : "");
        }
    }
    @Command(name = "probes", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Template probes: for each template and filler (an occupation) the log-likelihood gap between",
                "the sentence with group A's term and with group B's ('The nurse said that he/she...'), in nats.",
                "Built-in sets: gender-en, gender-zh; --templates reads a set of your own from YAML."})
    static final class ProbesCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model folder.")
        Path model;

        @Option(names = "--set", split = ",", paramLabel = "NAME[,NAME]",
                description = "Built-in probe sets (default: gender-en,gender-zh).")
        List<String> sets;

        @Option(names = "--templates", paramLabel = "FILE.yaml",
                description = "A probe set of your own: name, groups (two), fillers, templates with {x} and {A|B}.")
        Path templates;

        @Option(names = "--out", paramLabel = "FILE.json", description = "Write every probe's gap as JSON.")
        Path out;

        @Override
        public Integer call() {
            List<TemplateProbes.ProbeSet> chosen = new java.util.ArrayList<>();
            if (templates != null) {
                chosen.add(TemplateProbes.read(templates));
            }
            if (sets != null) {
                sets.forEach(name -> chosen.add(TemplateProbes.builtIn(name.trim())));
            } else if (templates == null) {
                chosen.addAll(TemplateProbes.builtIn());
            }
            ModelFolder.Loaded m = ModelFolder.load(model);
            List<Integer> eos = m.generation().eosTokenIds();
            PrintWriter pw = spec.commandLine().getOut();
            List<TemplateProbes.Result> results = new java.util.ArrayList<>();
            for (TemplateProbes.ProbeSet set : chosen) {
                TemplateProbes.Result r = TemplateProbes.score(m.model(), m.tokenizer(), eos.isEmpty() ? -1 : eos.getFirst(),
                        set, k -> { });
                results.add(r);
                print(pw, r);
            }
            pw.println("Near 0 is no association. Small models trained on little text give noisy gaps: compare models"
                    + " on the same probes rather than reading one number alone.");
            if (out != null) {
                write(out, model, results);
                pw.println("gaps: " + out);
            }
            return 0;
        }

        /** The probes' results as JSON: the model and one entry per set (what 'hearth card --evidence' reads). */
        static void write(Path out, Path model, List<TemplateProbes.Result> results) {
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode o = json.createObjectNode();
            o.put("model", model.toString());
            o.set("sets", json.valueToTree(results));
            PiiCommand.atomicWrite(out, w -> w.write(json.writeValueAsString(o)));
        }

        static void print(PrintWriter pw, TemplateProbes.Result r) {
            pw.printf(Locale.ROOT, "%s: %d probes, mean gap %+.3f ± %.3f nats (log P %s − log P %s); %s preferred in %.1f%%%n",
                    r.name(), r.probes(), r.meanGap(), r.standardError(), r.groups().get(0), r.groups().get(1),
                    r.groups().get(0), 100 * r.shareA());
            List<TemplateProbes.FillerGap> f = r.byFiller();
            StringBuilder most = new StringBuilder();
            for (int i = 0; i < Math.min(3, f.size()); i++) {
                most.append(String.format(Locale.ROOT, " %s %+.2f", f.get(i).filler(), f.get(i).meanGap()));
            }
            StringBuilder least = new StringBuilder();
            for (int i = Math.max(0, f.size() - 3); i < f.size(); i++) {
                least.append(String.format(Locale.ROOT, " %s %+.2f", f.get(i).filler(), f.get(i).meanGap()));
            }
            pw.printf(Locale.ROOT, "  spread over fillers %.3f nats; most %s-leaning:%s; most %s-leaning:%s%n", r.fillerSpread(),
                    r.groups().get(0), most, r.groups().get(1), least);
        }
    }
}
