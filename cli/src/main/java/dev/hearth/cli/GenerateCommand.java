package dev.hearth.cli;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.generate.GenerationListener;
import dev.hearth.engine.generate.GenerationResult;
import dev.hearth.engine.generate.Generator;
import dev.hearth.engine.generate.PromptOptions;
import dev.hearth.engine.generate.SamplingParams;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.tokenize.EncodeOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hearth generate}: text from a model folder. One prompt streams to standard output as it
 * is generated; several run as one batch and are printed labelled when all are done. The last
 * line, on standard error, gives the speed.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text with a model folder (config.json, model.safetensors, tokenizer.json).",
            "Sampling defaults come from the folder's generation_config.json; options override them.",
            "One prompt streams to standard output; several run as one batch and print labelled."})
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The model folder.")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "A prompt; repeat for a batch.")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--prompt-file", paramLabel = "FILE",
            description = "A file whose whole text (UTF-8, one final newline dropped) is a prompt; repeatable.")
    List<Path> promptFiles = new ArrayList<>();

    @Option(names = "--max-tokens", paramLabel = "N", description = "New tokens at most per prompt (default: the"
            + " folder's max_new_tokens).")
    Integer maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature; 0 is greedy.")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens (0 = all).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Keep the smallest set of tokens with probability P"
            + " (1 = all).")
    Double topP;

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "Penalise tokens already in the sequence"
            + " (1 = off).")
    Double repetitionPenalty;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the new text contains TEXT (cut before"
            + " it); repeatable.")
    List<String> stops = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the sampling (default: a random one,"
            + " printed at the end).")
    Long seed;

    @Option(names = "--greedy", description = "Always take the most likely token (as --temperature 0).")
    boolean greedy;

    @Option(names = "--bos", description = "Put the model's BOS token (generation_config.json) before each prompt.")
    boolean bos;

    @Option(names = "--template", description = "Apply the tokenizer's template and recognise special tokens in"
            + " the prompt, as transformers' tokenizer(text) does.")
    boolean template;

    @Option(names = "--truncate", description = "Drop the oldest prompt tokens when a prompt does not fit the"
            + " context with --max-tokens (default: an error).")
    boolean truncate;

    @Option(names = "--context-shift", description = "When a sequence fills the model's context, keep its most"
            + " recent half and go on (for models with a short context; default: stop, finish reason context_full).")
    boolean contextShift;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> texts = new ArrayList<>(prompts);
        for (Path f : promptFiles) {
            texts.add(readPrompt(f));
        }
        if (texts.isEmpty()) {
            throw new HearthException("no prompt: give --prompt TEXT (repeatable) or --prompt-file FILE");
        }
        ModelFolder.Loaded loaded = ModelFolder.load(model);
        if (loaded.tokenizer() == null) {
            throw new HearthException(model + " has no tokenizer.json; generation needs the tokenizer the model was"
                    + " trained with: copy its tokenizer.json into the folder");
        }
        long usedSeed = seed != null ? seed : new SecureRandom().nextLong() >>> 1;
        SamplingParams params = settings(loaded.generation(), usedSeed);
        PromptOptions options = PromptOptions.PLAIN.withTruncateLeft(truncate).withContextShift(contextShift)
                .withEncoding(template ? EncodeOptions.HUGGING_FACE_DEFAULT : EncodeOptions.PLAIN);
        if (bos) {
            int id = loaded.generation().bosTokenId();
            if (id < 0) {
                throw new HearthException("--bos: " + model + " names no BOS token (bos_token_id in"
                        + " generation_config.json or config.json); leave --bos out");
            }
            options = options.withBos(id);
        }
        Generator generator = new Generator(loaded.model(), loaded.tokenizer(), options);
        boolean streaming = texts.size() == 1;
        GenerationListener listener = streaming ? (sequence, delta) -> {
            out.print(delta);
            out.flush();
        } : GenerationListener.NONE;
        long start = System.nanoTime();
        List<GenerationResult> results = generator.generate(texts, params, listener);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (streaming) {
            out.println();
        } else {
            for (int i = 0; i < results.size(); i++) {
                GenerationResult r = results.get(i);
                out.printf(Locale.ROOT, "[%d] %s%n%s%n[%d: %d tokens, %s]%n%n", i + 1, oneLine(texts.get(i)), r.text(),
                        i + 1, r.generatedTokens(), r.finishReason().name().toLowerCase(Locale.ROOT));
            }
        }
        out.flush();
        int tokens = results.stream().mapToInt(GenerationResult::generatedTokens).sum();
        GenerationResult first = results.getFirst();
        String finish = streaming ? ", " + first.finishReason().name().toLowerCase(Locale.ROOT) : "";
        err.printf(Locale.ROOT, "%d new tokens in %.2f s (%.1f tok/s): prefill %d tokens in %.3f s, decode %.1f tok/s"
                        + " per sequence%s; seed %d%n", tokens, seconds, tokens / Math.max(seconds, 1e-9),
                results.stream().mapToInt(GenerationResult::promptTokens).sum(), first.timings().prefillSeconds(),
                results.stream().mapToDouble(r -> r.timings().decodeTokensPerSecond()).max().orElse(0), finish,
                usedSeed);
        err.flush();
        return 0;
    }

    /** The folder's defaults with the options given on the command line on top. */
    private SamplingParams settings(GenerationConfig defaults, long usedSeed) {
        SamplingParams p = SamplingParams.from(defaults, usedSeed);
        if (temperature != null) {
            p = p.withTemperature(temperature);
        }
        if (greedy) {
            p = p.withTemperature(0);
        }
        if (topK != null) {
            p = p.withTopK(topK);
        }
        if (topP != null) {
            p = p.withTopP(topP);
        }
        if (repetitionPenalty != null) {
            p = p.withRepetitionPenalty(repetitionPenalty);
        }
        if (maxTokens != null) {
            p = p.withMaxNewTokens(maxTokens);
        }
        return p.withStopSequences(stops);
    }

    private static String readPrompt(Path f) {
        try {
            String s = Files.readString(f, StandardCharsets.UTF_8);
            if (s.endsWith("\r\n")) {
                return s.substring(0, s.length() - 2);
            }
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException e) {
            throw new HearthException("--prompt-file " + f + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static String oneLine(String s) {
        String flat = s.replace("\n", " ");
        return flat.length() > 70 ? flat.substring(0, 67) + "..." : flat;
    }
}
