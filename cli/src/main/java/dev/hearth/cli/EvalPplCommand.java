package dev.hearth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.generate.Perplexity;
import dev.hearth.engine.generate.PerplexityListener;
import dev.hearth.engine.generate.PerplexityOptions;
import dev.hearth.engine.generate.PerplexityResult;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.lab.eval.LanguageModelLatency;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hearth eval ppl}: perplexity and bits per byte of a model folder on a text file (one
 * document) or a JSON Lines file (one document per line, the text in {@code --field}).
 */
@Command(name = "ppl", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Perplexity and bits per byte of a model on a text.",
            "A .txt file is one document; a .jsonl file holds one document per line, its text in --field.",
            "Windows of the model's context; --stride below the context overlaps them (more context per token)."})
final class EvalPplCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The model folder.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "A .txt or .jsonl file (UTF-8).")
    Path data;

    @Option(names = "--field", defaultValue = "text", paramLabel = "NAME",
            description = "The text field of each .jsonl line (default: ${DEFAULT-VALUE}).")
    String field;

    @Option(names = "--stride", defaultValue = "0", paramLabel = "N",
            description = "Tokens between window starts (default: the context length, no overlap).")
    int stride;

    @Option(names = "--batch", defaultValue = "0", paramLabel = "N",
            description = "Windows per forward pass (default: as many as fit about 64 MiB of logits).")
    int batch;

    @Option(names = "--no-bos", description = "Do not put the model's BOS token before each document (then the"
            + " first token of each is not scored).")
    boolean noBos;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Option(names = "--latency", defaultValue = "0", paramLabel = "RUNS",
            description = "Also time RUNS prefills of the first document's first 64 tokens, each followed by 64 decode"
                    + " steps: p50/p95/p99 and tokens/s on this machine (default: off).")
    int latency;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> documents = readDocuments();
        ModelFolder.Loaded loaded = ModelFolder.load(model);
        if (loaded.tokenizer() == null) {
            throw new HearthException(model + " has no tokenizer.json; scoring a text needs the tokenizer the model"
                    + " was trained with: copy its tokenizer.json into the folder");
        }
        int bos = noBos ? -1 : loaded.generation().bosTokenId();
        PerplexityOptions options = new PerplexityOptions(stride, batch, bos);
        long start = System.nanoTime();
        long[] lastReport = {start};
        PerplexityListener progress = (windows, tokens) -> {
            long now = System.nanoTime();
            if (!json && now - lastReport[0] > 2_000_000_000L) {
                lastReport[0] = now;
                err.printf(Locale.ROOT, "  %,d windows, %,d tokens scored, %,.0f tokens/s%n", windows, tokens,
                        tokens / ((now - start) / 1e9));
                err.flush();
            }
        };
        PerplexityResult r = new Perplexity(loaded.model(), loaded.tokenizer()).evaluate(documents, options, progress);
        int context = loaded.model().contextLength();
        int usedStride = stride == 0 ? context : stride;
        LanguageModelLatency.Result lat = null;
        if (latency > 0) {
            int[] ids = loaded.tokenizer().encode(documents.getFirst());
            int steps = Math.min(64, context / 2);
            lat = LanguageModelLatency.measure(loaded.model(), Arrays.copyOf(ids, Math.min(ids.length, Math.min(64,
                    context - steps))), latency, steps);
        }
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("model", model.toString());
            o.put("data", data.toString());
            o.put("documents", documents.size());
            o.put("tokens", r.tokens());
            o.put("bytes", r.bytes());
            o.put("nll", r.nll());
            o.put("total_nll", r.totalNll());
            o.put("perplexity", r.perplexity());
            o.put("bits_per_byte", r.bitsPerByte());
            o.put("context", context);
            o.put("stride", usedStride);
            o.put("windows", r.windows());
            o.put("bos", bos >= 0);
            o.put("seconds", r.seconds());
            if (lat != null) {
                ObjectNode l = o.putObject("latency");
                l.put("prompt_tokens", lat.promptTokens());
                l.put("runs", lat.runs());
                l.put("decode_steps_per_run", lat.stepsPerRun());
                l.putArray("prefill_seconds_p50_p95_p99").add(lat.prefill()[0]).add(lat.prefill()[1]).add(lat.prefill()[2]);
                l.putArray("decode_seconds_p50_p95_p99").add(lat.decode()[0]).add(lat.decode()[1]).add(lat.decode()[2]);
                l.put("decode_tokens_per_second", lat.tokensPerSecond());
            }
            out.println(o.toString());
        } else {
            out.printf(Locale.ROOT, "model:       %s (%s, %,d parameters, context %d)%n", model,
                    loaded.model().getClass().getSimpleName(), loaded.model().parameterCount(), context);
            out.printf(Locale.ROOT, "data:        %s (%,d document%s)%n", data, documents.size(),
                    documents.size() == 1 ? "" : "s");
            out.printf(Locale.ROOT, "windows:     %,d (stride %d%s)%n", r.windows(), usedStride,
                    bos >= 0 ? ", BOS " + bos + " before each document" : "");
            out.printf(Locale.ROOT, "tokens:      %,d%n", r.tokens());
            out.printf(Locale.ROOT, "bytes:       %,d%n", r.bytes());
            out.printf(Locale.ROOT, "NLL:         %.4f nats/token%n", r.nll());
            out.printf(Locale.ROOT, "perplexity:  %.4f%n", r.perplexity());
            out.printf(Locale.ROOT, "bits/byte:   %.4f%n", r.bitsPerByte());
            out.printf(Locale.ROOT, "time:        %.2f s (%,.0f tokens/s)%n", r.seconds(), r.tokensPerSecond());
            if (lat != null) {
                out.printf(Locale.ROOT, "prefill:     %d tokens, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms (%d runs)%n",
                        lat.promptTokens(), 1e3 * lat.prefill()[0], 1e3 * lat.prefill()[1], 1e3 * lat.prefill()[2], lat.runs());
                out.printf(Locale.ROOT, "decode:      p50 %.2f ms, p95 %.2f ms, p99 %.2f ms per token; %,.0f tokens/s (%d x %d"
                                + " steps)%n", 1e3 * lat.decode()[0], 1e3 * lat.decode()[1], 1e3 * lat.decode()[2],
                        lat.tokensPerSecond(), lat.runs(), lat.stepsPerRun());
            }
        }
        out.flush();
        return 0;
    }

    private List<String> readDocuments() {
        List<String> lines;
        try {
            if (!data.getFileName().toString().endsWith(".jsonl")) {
                return List.of(Files.readString(data, StandardCharsets.UTF_8));
            }
            lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HearthException("--data " + data + " cannot be read: " + e.getMessage(), e);
        }
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                throw new HearthException(data + ": line " + (i + 1) + " is not JSON: " + e.getOriginalMessage());
            }
            JsonNode text = node.get(field);
            if (text == null || !text.isTextual()) {
                throw new HearthException(data + ": line " + (i + 1) + " has no text field \"" + field
                        + "\"; name the field with --field");
            }
            docs.add(text.asText());
        }
        if (docs.isEmpty()) {
            throw new HearthException(data + " holds no documents");
        }
        return docs;
    }
}
