package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import dev.hearth.guard.fairness.TemplateProbes;
import dev.hearth.lab.card.Evidence;
import dev.hearth.lab.card.ModelCard;
import dev.hearth.engine.generate.GenerationListener;
import dev.hearth.engine.generate.GenerationResult;
import dev.hearth.engine.generate.Generator;
import dev.hearth.engine.generate.Perplexity;
import dev.hearth.engine.generate.PerplexityOptions;
import dev.hearth.engine.generate.PerplexityResult;
import dev.hearth.engine.generate.PromptOptions;
import dev.hearth.engine.generate.SamplingParams;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.kernels.ComputePool;
import dev.hearth.lab.RunFolder;
import dev.hearth.lab.Workspace;
import dev.hearth.guard.pii.Anonymizer;
import dev.hearth.guard.pii.PiiAnalyzer;
import dev.hearth.guard.pii.Pseudonyms;
import dev.hearth.guard.pii.ScrubPolicy;
import dev.hearth.lab.data.DatasetPreparation;
import dev.hearth.lab.data.DatasetScrub;
import dev.hearth.lab.data.DatasetManifest;
import dev.hearth.lab.data.ReadingOptions;
import dev.hearth.lab.data.SplitMode;
import dev.hearth.lab.data.SupportConversations;
import dev.hearth.lab.data.TokenizerChoice;
import dev.hearth.lab.train.LanguageModelTraining;
import dev.hearth.lab.train.RunRecorder;
import dev.hearth.lab.train.TrainConfig;
import dev.hearth.lab.train.TrainConfigReader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.serve.ChatTemplate;
import dev.hearth.serve.PatternChatTemplate;
import dev.hearth.serve.HearthServer;
import dev.hearth.serve.ServeOptions;
import dev.hearth.store.ModelRegistry;
import dev.hearth.store.ModelVersion;
import dev.hearth.store.RateLimit;
import dev.hearth.store.Role;
import dev.hearth.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hearth demo}: the main job on a fresh machine. Writes the built-in corpus of
 * customer-support conversations (English and Chinese), scrubs personal data out of it, prepares it, trains a small Llama-style
 * model, evaluates it on conversations it never saw, generates replies, and says where
 * everything is.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The whole path in one command: write a synthetic corpus of customer-support conversations",
            "(English and Chinese), scrub personal data out of it, prepare it (byte-level BPE), train a small Llama-style model for a few",
            "minutes, measure it on conversations it never saw, generate replies, and print where it all is.",
            "'hearth demo digits' trains an image classifier with the engine alone."},
        subcommands = DigitsDemoCommand.class)
final class DemoCommand implements Callable<Integer> {

    /** The training settings of the demo; --set overrides any of them. */
    static final Map<String, String> TRAINING = orderedMap(
            "model.arch", "llama", "model.layers", "4", "model.heads", "4", "model.kv_heads", "2", "model.dim", "128",
            "model.context", "128", "model.dropout", "0", "batch_size", "16", "lr", "2e-3", "min_lr", "2e-4",
            "warmup_steps", "30", "eval_every", "50", "eval_batches", "8");

    private static final String DATASET = "support-demo";

    /** How the demo corpus writes a conversation, as a chat template for the API. */
    static final PatternChatTemplate SUPPORT_CHAT = new PatternChatTemplate("support", Map.of(
            "system", "{content}\n",
            "user", SupportConversations.CUSTOMER + " {content}\n",
            "assistant", SupportConversations.AGENT + " {content}\n"),
            SupportConversations.AGENT, List.of("\n" + SupportConversations.CUSTOMER, "\n" + SupportConversations.CUSTOMER_ZH));

    @ParentCommand
    Hearth parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--conversations", paramLabel = "N", defaultValue = "8000",
            description = "Conversations in the corpus, half English, half Chinese (default: ${DEFAULT-VALUE}).")
    int conversations;

    @Option(names = "--vocab", paramLabel = "N", defaultValue = "1024",
            description = "Byte-level BPE vocabulary to train (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "400",
            description = "Optimizer steps of 16 x 128 tokens (default: ${DEFAULT-VALUE}, a few minutes on two cores).")
    int steps;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the corpus, the weights, the batches and the sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N",
            description = "Port to serve the model on at the end (default ${DEFAULT-VALUE}; a free one if it is taken).")
    int port;

    @Option(names = "--serve-seconds", paramLabel = "N",
            description = "Stop serving after N seconds (default: serve until Ctrl-C).")
    Long serveSeconds;

    @Option(names = "--no-serve", description = "Finish after the replies instead of registering and serving the model.")
    boolean noServe;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any training setting, as for 'hearth train' (e.g. --set model.layers=2); repeatable.")
    Map<String, String> set = new LinkedHashMap<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        if (conversations < 20) {
            throw new HearthException("--conversations must be at least 20, got " + conversations);
        }
        Workspace ws = Workspace.resolve(parent.home);
        out.printf(Locale.ROOT, "workspace: %s (%d compute thread%s)%n", ws.home(), ComputePool.shared().threads(),
                ComputePool.shared().threads() == 1 ? "" : "s");

        out.println();
        out.println("1. corpus");
        Path corpus = ws.home().resolve("corpora").resolve("support-conversations.jsonl");
        SupportConversations.writeJsonl(corpus, conversations, seed);
        out.printf(Locale.ROOT, "   %,d synthetic customer-support conversations (English and Chinese) -> %s%n",
                conversations, corpus);

        out.println();
        out.println("2. prepare: scrub personal data, train a byte-level BPE, tokenize, split by conversation");
        DatasetPreparation.Result prepared = new DatasetPreparation(
                DatasetPreparation.Config.of(List.of(corpus), ws.home().resolve("datasets").resolve(DATASET), DATASET)
                        .withScrub(new DatasetScrub(SCRUB, ComputePool.shared().threads(), null, null))
                        .withTokenizer(new TokenizerChoice.TrainBpe(vocab, 2))
                        .withReading(ReadingOptions.DEFAULTS)
                        .withSplit(SplitMode.DOCUMENT, 0.1)
                        .withSeed(seed)
                        .withForce(true))
                .run(new DatasetPreparation.Listener() {
                    @Override
                    public void onWarning(String message) {
                        out.println("   note: " + message);
                    }
                });
        DatasetManifest m = prepared.manifest();
        out.printf(Locale.ROOT, "   scrubbed: found %s in %,d conversations, each replaced by its type tag (%s/%s)%n",
                m.scrub().path("found"), m.scrub().path("records").asLong(), prepared.dir(), DatasetScrub.REPORT);
        out.printf(Locale.ROOT, "   tokenizer: %,d tokens; train %,d conversations (%,d tokens), val %,d (%,d tokens);"
                        + " %.2f bytes per token -> %s%n", m.tokenizer().vocabSize(), m.splits().get("train").documents(),
                m.splits().get("train").tokens(), m.splits().get("val").documents(), m.splits().get("val").tokens(),
                prepared.bytesPerToken(), prepared.dir());

        out.println();
        out.println("3. train");
        Map<String, String> settings = new LinkedHashMap<>(TRAINING);
        settings.put("data", prepared.dir().toString());
        settings.put("max_steps", Integer.toString(steps));
        settings.put("seed", Long.toString(seed));
        if (steps < 30) {
            settings.put("warmup_steps", Integer.toString(steps / 10));
        }
        settings.putAll(set);
        TrainConfig config = TrainConfigReader.read(null, settings);
        LanguageModelTraining.Result trained;
        RunFolder run = ws.newRun("demo");
        TrainingPrinter printer = new TrainingPrinter(out);
        String status = "failed";
        try (StopRequest stop = new StopRequest("hearth-demo-stop"); Store store = parent.openStore()) {
            RunRecorder recorder = new RunRecorder(store.runs(), "demo", printer);
            try {
                trained = LanguageModelTraining.start(config, run, recorder, stop);
                status = trained.status();
            } finally {
                recorder.finish(status);
            }
        } finally {
            printer.close();
        }
        Path runDir = run.dir();
        out.printf(Locale.ROOT, "   %s after %d steps in %.0f s: best val loss %.4f at step %d%n", trained.status(),
                trained.steps(), trained.seconds(), trained.bestValLoss(), trained.bestStep());
        if (!"finished".equals(trained.status()) && !"early-stopped".equals(trained.status())) {
            out.printf("   stopped early; resume with: hearth train --resume %s%n", runDir);
            return 130;
        }

        out.println();
        out.println("4. evaluate the best checkpoint on 400 new conversations it never saw");
        ModelFolder.Loaded model = ModelFolder.load(trained.best());
        Map<String, Object> evaluation = evaluate(out, model);

        out.println();
        out.println("5. generate replies (seeded sampling, temperature 0.7, top-p 0.9)");
        List<Map<String, Object>> samples = generate(out, model);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("corpus", corpus.toString());
        summary.put("dataset", prepared.dir().toString());
        summary.put("best_model", trained.best().toString());
        summary.put("best_val_loss", trained.bestValLoss());
        summary.put("held_out", evaluation);
        summary.put("samples", samples);
        summary.put("seconds", (System.nanoTime() - start) / 1e9);
        run.writeJson("demo.json", summary);

        out.println();
        out.println("6. explain a reply, probe for gender bias, write the model card");
        Path card = explainProbeAndCard(out, model, trained.best(), runDir);

        out.println();
        out.printf(Locale.ROOT, "done in %.0f s. Where everything is:%n", (System.nanoTime() - start) / 1e9);
        out.printf("   corpus          %s%n", corpus);
        out.printf("   dataset         %s (manifest.json, tokenizer.json, token shards)%n", prepared.dir());
        out.printf("   run             %s (config.json, metrics.jsonl, loss.png, loss.svg, demo.json)%n",
                runDir);
        out.printf("   best model      %s (Hugging Face layout, MODEL_CARD.md, lineage.json)%n", trained.best());
        out.printf("   explanation     %s%n", runDir.resolve("explanation").resolve("explanation.html"));
        out.printf("   model card      %s%n", card);
        out.println("Try it:");
        out.printf("   ./hearth generate --model %s --prompt '%s I want to return my keyboard.'%n", trained.best(),
                SupportConversations.CUSTOMER);
        out.printf("   ./hearth eval ppl --model %s --data %s%n", trained.best(), corpus);
        if (noServe) {
            return 0;
        }
        out.println();
        out.println("7. register the model and serve it (OpenAI-compatible API)");
        out.flush();
        serve(out, trained.best());
        return 0;
    }

    /**
     * Why the model answers the desk-lamp prompt as it does (integrated gradients, occlusion,
     * KernelSHAP, attention), gender probes in English and Chinese, and the card that quotes them
     * with the held-out evaluation; returns the card's path.
     */
    private Path explainProbeAndCard(PrintWriter out, ModelFolder.Loaded model, Path best, Path runDir) {
        String prompt = SupportConversations.CUSTOMER + " I want to return my desk lamp. How do I do that?\n"
                + SupportConversations.AGENT;
        java.util.Set<ExplainCommand.Method> methods = java.util.EnumSet.of(ExplainCommand.Method.IG,
                ExplainCommand.Method.OCCLUSION, ExplainCommand.Method.SHAP, ExplainCommand.Method.ATTENTION);
        StringWriter explained = new StringWriter();
        dev.hearth.guard.explain.Explanation e = ExplainCommand.explainNextToken(model, best, prompt, null, null, methods,
                50, 256, seed, new PrintWriter(explained, true));
        Path explanationDir = runDir.resolve("explanation");
        try {
            ExplainCommand.write(e, explanationDir);
        } catch (java.io.IOException ex) {
            throw new HearthException("cannot write the explanation into " + explanationDir + ": " + ex.getMessage(), ex);
        }
        explained.toString().lines().forEach(l -> out.println("   " + l));
        List<Integer> eos = model.generation().eosTokenIds();
        List<TemplateProbes.Result> probes = new ArrayList<>();
        for (TemplateProbes.ProbeSet set : TemplateProbes.builtIn()) {
            TemplateProbes.Result r = TemplateProbes.score(model.model(), model.tokenizer(), eos.isEmpty() ? -1 : eos.getFirst(),
                    set, k -> { });
            probes.add(r);
            out.printf(Locale.ROOT, "   bias probes %s: mean gap %+.2f nats (log P male − log P female) over %d sentence pairs%n",
                    r.name(), r.meanGap(), r.probes());
        }
        out.println("   (the corpus never says he/she or 他/她 of a person: the gaps show words the model barely saw;"
                + " docs/fairness.md)");
        Path probesFile = runDir.resolve("bias-probes.json");
        BiasCommand.ProbesCommand.write(probesFile, best, probes);
        ModelCard.Written card = new ModelCard(best, "support-demo", null, List.of("en", "zh"),
                "Trying Hearth end to end: continuing synthetic customer-support conversations in English and Chinese.",
                "Real customer support, advice, or any decision about a person: it was trained for minutes on synthetic"
                        + " conversations.",
                List.of(Evidence.of(runDir.resolve("demo.json")), Evidence.of(probesFile),
                        Evidence.of(explanationDir.resolve("explanation.json")))).write(best);
        out.printf("   model card: %s (and lineage.json)%n", card.card());
        return card.card();
    }

    /** Registers the model as the champion of "support", creates a user key and serves until stopped. */
    private void serve(PrintWriter out, Path best) {
        SUPPORT_CHAT.save(best.resolve(ChatTemplate.FILE));
        Store store = parent.openStore();
        ModelVersion v = store.registry().register(DATASET.replace("-demo", ""), best, parent.workspace().models());
        store.registry().setAlias(v.name(), ModelRegistry.CHAMPION, v.version());
        out.printf("   registered %s (sha256 %s...) as %s@%s%n", v.ref(), v.sha256().substring(0, 16), v.name(),
                ModelRegistry.CHAMPION);
        String key = store.keys().create(Role.USER, "hearth demo", RateLimit.parse("120/min"), 1_000_000L).secret();
        ServeOptions options = ServeOptions.defaults().withPort(port);
        HearthServer server;
        try {
            server = ServeCommand.start(store, options, out);
        } catch (HearthException e) {
            out.printf("   port %d is taken (%s); using a free port%n", port, e.getMessage());
            server = ServeCommand.start(store, options.withPort(0), out);
        }
        String url = server.url();
        String question = "I want to return my desk lamp. How do I do that?";
        String body = "{\"model\": \"" + v.name() + "\", \"messages\": [{\"role\": \"user\", \"content\": \""
                + question + "\"}], \"max_tokens\": 60}";
        out.println("   asking it over HTTP, as any OpenAI client would:");
        out.println("   " + askOverHttp(url, key, body));
        out.println();
        out.println("Your user key (shown once; 120 requests/min, 1,000,000 tokens/day): " + key);
        out.println("curl:");
        out.printf("   curl %s/v1/chat/completions -H 'Authorization: Bearer %s' -H 'Content-Type: application/json'"
                + " -d '%s'%n", url, key, body);
        out.println("OpenAI Java SDK (com.openai:openai-java):");
        out.printf("   OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(\"%s/v1\").apiKey(\"%s\").build();%n",
                url, key);
        out.printf("   ChatCompletion reply = client.chat().completions().create(ChatCompletionCreateParams.builder()%n"
                + "           .model(\"%s\").addUserMessage(\"%s\").maxCompletionTokens(60).build());%n", v.name(),
                question);
        out.println("More: docs/serving.md (keys, roles, rate limits, audit log, /metrics). Press Ctrl-C to stop.");
        out.flush();
        HearthServer running = server;
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            running.close();
            store.close();
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (serveSeconds == null) {
                stopped.await();
            } else if (!stopped.await(serveSeconds, TimeUnit.SECONDS)) {
                Runtime.getRuntime().removeShutdownHook(hook);
                hook.run();
                out.println("stopped serving after " + serveSeconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One chat request to the running server; its reply, or what went wrong. */
    private static String askOverHttp(String url, String key, String body) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(url + "/v1/chat/completions")).header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode j = new ObjectMapper().readTree(r.body());
            return r.statusCode() == 200 ? "reply: " + j.at("/choices/0/message/content").asText().strip()
                    : "HTTP " + r.statusCode() + ": " + j.at("/error/message").asText();
        } catch (IOException e) {
            return "the request failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The demo's scrub: every type of personal data replaced by its tag; needs no key. */
    private static final Anonymizer SCRUB = new Anonymizer(ScrubPolicy.defaults(), null, new Pseudonyms());
    private static final PiiAnalyzer PII = ScrubPolicy.defaults().analyzer();

    private static String scrubbed(String text) {
        return SCRUB.anonymize(text, PII.analyze(text), null);
    }

    private Map<String, Object> evaluate(PrintWriter out, ModelFolder.Loaded model) {
        List<SupportConversations.Conversation> heldOut = SupportConversations.generate(400, seed + 7919);
        List<Integer> eos = model.generation().eosTokenIds();
        PerplexityOptions options = PerplexityOptions.DEFAULTS.withPrefixToken(eos.isEmpty() ? -1 : eos.get(0));
        Perplexity perplexity = new Perplexity(model.model(), model.tokenizer());
        Map<String, Object> result = new LinkedHashMap<>();
        for (String language : List.of("en", "zh")) {
            List<String> texts = new ArrayList<>();
            for (SupportConversations.Conversation c : heldOut) {
                if (c.language().equals(language)) {
                    texts.add(scrubbed(c.text())); // the held-out text gets the scrub the training text got
                }
            }
            PerplexityResult r = perplexity.evaluate(texts, options);
            out.printf(Locale.ROOT, "   %s: perplexity %.2f per token, %.3f bits per byte (%,d tokens, %.1f s)%n",
                    language.equals("en") ? "English" : "Chinese", r.perplexity(), r.bitsPerByte(), r.tokens(),
                    r.seconds());
            result.put(language, Map.of("perplexity", r.perplexity(), "bits_per_byte", r.bitsPerByte(), "tokens",
                    r.tokens()));
        }
        return result;
    }

    private List<Map<String, Object>> generate(PrintWriter out, ModelFolder.Loaded model) {
        String c = SupportConversations.CUSTOMER + " ";
        String a = "\n" + SupportConversations.AGENT;
        String cz = SupportConversations.CUSTOMER_ZH + " ";
        String az = "\n" + SupportConversations.AGENT_ZH;
        List<String> prompts = List.of(
                c + "Hi, my order #52817 has not arrived yet. It was due on Tuesday." + a,
                c + "I want to return my desk lamp. How do I do that?" + a,
                cz + "我想退掉智能手表，怎么办理？" + az,
                cz + "订单38211被扣了两次款。" + az);
        List<Integer> eos = model.generation().eosTokenIds();
        SamplingParams params = new SamplingParams(0.7, 0, 0.9, 1.0, 60,
                List.of("\n" + SupportConversations.CUSTOMER, "\n" + SupportConversations.CUSTOMER_ZH), eos, seed);
        List<GenerationResult> results = new Generator(model.model(), model.tokenizer(),
                PromptOptions.PLAIN.withTruncateLeft(true)).generate(prompts, params, GenerationListener.NONE);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String reply = results.get(i).text();
            out.println("   " + prompts.get(i).replace("\n", "\n   ") + reply.stripTrailing().replace("\n", "\n   "));
            out.println();
            samples.add(Map.of("prompt", prompts.get(i), "reply", reply));
        }
        return samples;
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
