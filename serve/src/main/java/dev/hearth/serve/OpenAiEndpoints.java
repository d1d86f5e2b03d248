package dev.hearth.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.generate.FinishReason;
import dev.hearth.engine.generate.GenerationResult;
import dev.hearth.engine.generate.SamplingParams;
import dev.hearth.engine.models.LanguageModel;
import dev.hearth.engine.tensor.Tensor;
import dev.hearth.engine.tokenize.EncodeOptions;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.engine.tokenize.TokenizerException;
import dev.hearth.store.Feedback;
import dev.hearth.store.ModelVersion;
import dev.hearth.store.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The OpenAI-shaped endpoints: models, completions, chat completions, embeddings, and feedback. */
final class OpenAiEndpoints {
    /** The longest {@code user} field kept in the audit log. */
    static final int MAX_END_USER = 256;

    private static final SecureRandom SEEDS = new SecureRandom();

    private final ModelCatalog catalog;
    private final Store store;
    private final ServeOptions options;
    private final PiiGuard pii;

    OpenAiEndpoints(ModelCatalog catalog, Store store, ServeOptions options, PiiGuard pii) {
        this.pii = pii;
        this.catalog = catalog;
        this.store = store;
        this.options = options;
    }

    // ---- models

    void listModels(Call call) {
        ArrayNode data = HearthServer.JSON.createArrayNode();
        for (String name : catalog.registry().names()) {
            List<ModelVersion> versions = catalog.registry().versions(name);
            data.add(model(name, versions.getFirst().createdAt()));
            for (Map.Entry<String, Integer> a : catalog.registry().aliases(name).entrySet()) {
                data.add(model(name + "@" + a.getKey(), versions.getFirst().createdAt()));
            }
            for (ModelVersion v : versions) {
                data.add(model(v.ref(), v.createdAt()));
            }
        }
        ObjectNode out = HearthServer.JSON.createObjectNode();
        out.put("object", "list");
        out.set("data", data);
        call.json(out);
    }

    void getModel(Call call) {
        String ref = call.ctx().pathParam("model");
        ModelVersion v;
        try {
            v = catalog.registry().resolve(ref);
        } catch (dev.hearth.store.NotFoundException e) {
            throw ApiException.notFound("model_not_found", "model", e.getMessage());
        }
        call.json(model(ref, v.createdAt()));
    }

    private static ObjectNode model(String id, Instant created) {
        ObjectNode m = HearthServer.JSON.createObjectNode();
        m.put("id", id);
        m.put("object", "model");
        m.put("created", created.getEpochSecond());
        m.put("owned_by", "hearth");
        return m;
    }

    // ---- completions

    void completions(Call call) throws Exception {
        RequestFields f = new RequestFields(HearthServer.parseBody(call.ctx(), options.maxBodyBytes()));
        ServedModel served = resolve(call, f);
        f.unsupported("echo", "the prompt is never repeated in the answer");
        f.unsupported("suffix", "insertion is not implemented");
        f.unsupported("logprobs", "log-probabilities are not returned");
        f.unsupported("best_of", "use n");
        Inputs prompts = inputs(f.node("prompt"), served, "prompt", pii);
        call.prompt = prompts.text();
        generate(call, f, served, prompts.ids(), List.of(), 16, false);
    }

    /** Token ids are text too: the guardrail sees them decoded, and a redacted prompt is encoded again. */
    private static int[] guarded(int[] ids, Tokenizer tok, String param, PiiGuard pii) {
        if (!pii.on()) {
            return ids;
        }
        String text = tok.decode(ids);
        String checked = pii.prompt(text, param);
        return checked.equals(text) ? ids : encode(tok, checked, param);
    }

    /** Prompts or inputs as OpenAI takes them: a string, strings, token ids, or lists of token ids. */
    private record Inputs(List<int[]> ids, String text) {}

    /** The inputs, each text (and each token-id prompt, decoded) first passed through the guardrail. */
    private static Inputs inputs(JsonNode p, ServedModel served, String param, PiiGuard pii) {
        if (p == null || p.isNull()) {
            throw ApiException.invalid(param, "missing required parameter '" + param + "'");
        }
        Tokenizer tok = served.loaded().tokenizer();
        List<int[]> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        if (p.isTextual()) {
            String t = pii.prompt(p.asText(), param);
            out.add(encode(tok, t, param));
            text.append(t);
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) {
            out.add(guarded(tokenIds(p, served, param), tok, param, pii));
        } else if (p.isArray() && !p.isEmpty()) {
            for (JsonNode one : p) {
                if (one.isTextual()) {
                    String t = pii.prompt(one.asText(), param);
                    out.add(encode(tok, t, param));
                    text.append(t).append('\n');
                } else if (one.isArray()) {
                    out.add(guarded(tokenIds(one, served, param), tok, param, pii));
                } else {
                    throw ApiException.invalid(param, "'" + param + "' must hold strings or token id arrays, got "
                            + RequestFields.kind(one));
                }
            }
        } else {
            throw ApiException.invalid(param, "'" + param + "' must be a non-empty string, array of strings or array"
                    + " of token ids, got " + RequestFields.kind(p));
        }
        return new Inputs(out, text.toString());
    }

    private static int[] tokenIds(JsonNode array, ServedModel served, String param) {
        int vocab = served.loaded().model().vocabSize();
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = array.get(i);
            if (!t.isIntegralNumber() || t.asLong() < 0 || t.asLong() >= vocab) {
                throw ApiException.invalid(param, "token " + i + " of '" + param + "' is " + RequestFields.kind(t)
                        + "; token ids are integers from 0 to " + (vocab - 1));
            }
            ids[i] = t.asInt();
        }
        if (ids.length == 0) {
            throw ApiException.invalid(param, "'" + param + "' holds an empty list of tokens");
        }
        return ids;
    }

    private static int[] encode(Tokenizer tok, String text, String param) {
        return encode(tok, text, EncodeOptions.HUGGING_FACE_DEFAULT, param);
    }

    private static int[] encode(Tokenizer tok, String text, EncodeOptions options, String param) {
        try {
            int[] ids = tok.encode(text, options);
            if (ids.length == 0) {
                throw ApiException.invalid(param, "'" + param + "' is empty; give some text");
            }
            return ids;
        } catch (TokenizerException e) {
            throw ApiException.invalid(param, "'" + param + "' cannot be encoded: " + e.getMessage());
        }
    }

    // ---- chat

    void chatCompletions(Call call) throws Exception {
        RequestFields f = new RequestFields(HearthServer.parseBody(call.ctx(), options.maxBodyBytes()));
        ServedModel served = resolve(call, f);
        f.unsupported("logprobs", "log-probabilities are not returned");
        f.unsupported("tools", "tool calls are not implemented");
        f.unsupported("functions", "function calls are not implemented");
        f.unsupported("response_format", "structured output is not implemented");
        JsonNode messages = f.node("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array of {role, content}");
        }
        Tokenizer tok = served.loaded().tokenizer();
        List<Map.Entry<String, String>> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiException.invalid(where, where + " must be an object with role and content");
            }
            String role = m.path("role").asText("");
            if (role.equals("developer")) {
                role = "system";
            }
            if (!List.of("system", "user", "assistant").contains(role)) {
                throw ApiException.invalid(where + ".role", where + ".role is '" + m.path("role").asText()
                        + "'; use system, developer, user or assistant");
            }
            String content = pii.prompt(content(m.get("content"), where), where + ".content");
            for (String special : tok.specialTokens()) {
                if (content.contains(special)) {
                    throw ApiException.invalid(where + ".content", where + ".content contains the special token "
                            + special + ", which only the chat template may write");
                }
            }
            turns.add(Map.entry(role, content));
        }
        String prompt = served.chatTemplate().render(turns);
        call.prompt = prompt;
        List<int[]> prompts = List.of(encode(tok, prompt, served.chatTemplate().encodeOptions(), "messages"));
        generate(call, f, served, prompts, served.chatTemplate().stop(), Integer.MAX_VALUE, true);
    }

    private static String content(JsonNode c, String where) {
        if (c != null && c.isTextual()) {
            return c.asText();
        }
        if (c != null && c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiException.invalid(where + ".content", where + ".content parts must be {type: text, text}"
                            + "; images and audio are not supported");
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw ApiException.invalid(where + ".content", where + ".content must be a string or text parts, got "
                + RequestFields.kind(c));
    }

    // ---- shared generation

    private ServedModel resolve(Call call, RequestFields f) {
        String ref = f.requiredString("model");
        call.model = ref;
        ServedModel served = catalog.resolve(ref);
        call.modelVersion = served.id();
        call.ctx().header("X-Hearth-Model-Version", served.id());
        return served;
    }

    private void generate(Call call, RequestFields f, ServedModel served, List<int[]> prompts, List<String> templateStop,
                          int defaultMaxTokens, boolean chat) throws Exception {
        LanguageModel model = served.loaded().model();
        int context = model.contextLength();
        int longest = 0;
        for (int[] p : prompts) {
            longest = Math.max(longest, p.length);
        }
        call.promptTokens = prompts.stream().mapToInt(p -> p.length).sum();
        if (longest >= context) {
            throw ApiException.invalid(chat ? "messages" : "prompt", "context_length_exceeded", "this model's context"
                    + " holds " + context + " tokens; the prompt is " + longest + " tokens, leaving no room for an"
                    + " answer. Shorten it");
        }
        f.unsupported("presence_penalty", "use repetition_penalty");
        f.unsupported("frequency_penalty", "use repetition_penalty");
        f.unsupported("logit_bias", "not implemented");
        int room = context - longest;
        String maxField = f.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        long maxTokens = f.integer(maxField, Math.min(Math.min(defaultMaxTokens, room), options.maxTokens()), 1,
                Integer.MAX_VALUE);
        if (maxTokens > options.maxTokens()) {
            throw ApiException.invalid(maxField, "'" + maxField + "' is " + maxTokens + "; this server allows at most "
                    + options.maxTokens());
        }
        if (maxTokens > room) {
            throw ApiException.invalid(maxField, "context_length_exceeded", "this model's context holds " + context
                    + " tokens: the prompt takes " + longest + " and '" + maxField + "' asks for " + maxTokens
                    + "; ask for at most " + room);
        }
        int n = (int) f.integer("n", 1, 1, 16);
        if ((long) n * prompts.size() > 64) {
            throw ApiException.invalid("n", "n x prompts is " + n * prompts.size() + "; at most 64 choices per request");
        }
        List<String> stop = new ArrayList<>(templateStop);
        stop.addAll(f.stop());
        long seed = f.has("seed") ? f.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE) : SEEDS.nextLong();
        SamplingParams params = new SamplingParams(f.number("temperature", 1.0, 0, 2), (int) f.integer("top_k", 0, 0,
                1_000_000), f.number("top_p", 1.0, Double.MIN_VALUE, 1), f.number("repetition_penalty", 1.0, 0.01, 10),
                (int) maxTokens, stop, f.bool("ignore_eos", false) ? List.of() : served.loaded().generation().eosTokenIds(),
                seed);
        call.endUser = endUser(f);
        boolean stream = f.bool("stream", false);
        boolean includeUsage = stream && f.node("stream_options") != null
                && f.node("stream_options").path("include_usage").asBoolean(false);
        reserveQuota(call, maxTokens * n * prompts.size());

        GenerationJob job = new GenerationJob(prompts, n, params, call.startNanos(), options.requestTimeout().toNanos());
        String id = (chat ? "chatcmpl-" : "cmpl-") + call.requestId();
        call.publicId = id;
        served.scheduler().submit(job);
        call.submitted = true;
        call.watchHangUp(job::cancel);            // the scheduler then ends the job with 499 at its next step
        long created = call.at().getEpochSecond();
        try {
            if (stream) {
                stream(call, job, id, created, served.id(), chat, includeUsage);
            } else {
                whole(call, job, id, created, served.id(), chat);
            }
        } finally {
            job.cancel();                          // a request that ends early frees its batch slot
            call.completionTokens = job.generatedTokens();
        }
    }

    /** The next event of a job; a job past its deadline ends with 504 even if the scheduler is stuck. */
    private static GenerationJob.Event next(GenerationJob job) throws InterruptedException {
        GenerationJob.Event e = job.next(250);
        if (e == null && job.expired(System.nanoTime() - 2_000_000_000L)) {
            throw ApiException.timeout();
        }
        return e;
    }

    /**
     * Takes the prompt and the most the answer may take from the key's daily quota, atomically
     * (what is not used is given back when the request ends), or refuses with 429.
     */
    private void reserveQuota(Call call, long mostNewTokens) {
        Long quota = call.key.tokensPerDay();
        if (quota == null) {
            return;
        }
        LocalDate today = call.day;
        long wanted = call.promptTokens + mostNewTokens;
        if (store.keys().reserveTokens(call.key.id(), today, wanted, quota)) {
            call.reserved = wanted;
        } else {
            long used = store.keys().tokensUsed(call.key.id(), today);
            long toMidnight = java.time.Duration.between(Instant.now(),
                    today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()).toSeconds();
            throw ApiException.tooMany("insufficient_quota", "insufficient_quota", "key " + call.key.id()
                    + " has used " + used + " of its " + quota + " tokens for today (UTC); this request may take "
                    + wanted + " (prompt plus max_tokens). Ask for fewer tokens, or wait for the quota to renew at"
                    + " midnight UTC", toMidnight);
        }
    }

    private void whole(Call call, GenerationJob job, String id, long created, String model, boolean chat)
            throws InterruptedException {
        GenerationResult[] results = new GenerationResult[job.choices()];
        int finished = 0;
        while (finished < results.length) {
            GenerationJob.Event e = next(job);
            if (e instanceof GenerationJob.Event.Finished fin) {
                results[fin.choice()] = fin.result();
                call.completionTokens += fin.result().generatedTokens();
                finished++;
            } else if (e instanceof GenerationJob.Event.Failed fail) {
                throw fail.error();
            }
        }
        ArrayNode choices = HearthServer.JSON.createArrayNode();
        for (int i = 0; i < results.length; i++) {
            ObjectNode c = choices.addObject();
            c.put("index", i);
            if (chat) {
                ObjectNode m = c.putObject("message");
                m.put("role", "assistant");
                m.put("content", pii.answer(results[i].text()));
                m.putNull("refusal");
            } else {
                c.put("text", pii.answer(results[i].text()));
            }
            c.putNull("logprobs");
            c.put("finish_reason", finishReason(results[i].finishReason()));
        }
        ObjectNode out = envelope(id, chat ? "chat.completion" : "text_completion", created, model);
        out.set("choices", choices);
        out.set("usage", usage(call, job));
        call.json(out);
    }

    /**
     * Server-sent events. The stream opens with the first token, so a request refused while it
     * waits (timeout, shutdown) still gets its HTTP status.
     */
    private void stream(Call call, GenerationJob job, String id, long created, String model, boolean chat,
                        boolean includeUsage) throws InterruptedException {
        String object = chat ? "chat.completion.chunk" : "text_completion";
        // The text events are most of the stream: written from a fixed prefix, not built as trees.
        String prefix = "data: {\"id\":" + quote(id) + ",\"object\":" + quote(object) + ",\"created\":" + created
                + ",\"model\":" + quote(model) + ",\"system_fingerprint\":null,\"choices\":[{\"index\":";
        String field = chat ? ",\"delta\":{\"content\":" : ",\"text\":";
        String suffix = (chat ? "}" : "") + ",\"logprobs\":null,\"finish_reason\":null}]}\n\n";
        java.util.function.BiFunction<Integer, String, String> deltaEvent = (choice, text) ->
                prefix + choice + field + quote(text) + suffix;
        PiiGuard.Stream[] guards = new PiiGuard.Stream[job.choices()];
        for (int i = 0; i < guards.length; i++) {
            guards[i] = pii.stream();
        }
        try {
            int finished = 0;
            while (finished < job.choices()) {
                GenerationJob.Event e = next(job);
                if (e == null) {
                    continue;
                }
                if (e instanceof GenerationJob.Event.Failed fail) {
                    throw fail.error();
                }
                if (call.events == null) {
                    call.startEvents();
                    if (chat) {
                        for (int i = 0; i < job.choices(); i++) {
                            ObjectNode delta = HearthServer.JSON.createObjectNode();
                            delta.put("role", "assistant");
                            delta.put("content", "");
                            call.sse(chunk(id, object, created, model, i, delta, null, true));
                        }
                    }
                }
                if (e instanceof GenerationJob.Event.Delta d) {
                    String text = guards[d.choice()].push(d.text());
                    if (!text.isEmpty()) {
                        call.write(deltaEvent.apply(d.choice(), text));
                    }
                    if (!job.hasEvents()) {
                        call.flush();                        // more waiting: one flush for all of them
                    }
                } else if (e instanceof GenerationJob.Event.Finished fin) {
                    String rest = guards[fin.choice()].finish();
                    if (!rest.isEmpty()) {
                        call.write(deltaEvent.apply(fin.choice(), rest));
                    }
                    call.completionTokens += fin.result().generatedTokens();
                    finished++;
                    call.sse(chunk(id, object, created, model, fin.choice(), HearthServer.JSON.createObjectNode(),
                            finishReason(fin.result().finishReason()), chat));
                }
            }
            if (includeUsage) {
                ObjectNode last = envelope(id, object, created, model);
                last.putArray("choices");
                last.set("usage", usage(call, job));
                call.sse(last);
            }
            call.done();
        } catch (IOException e) {
            call.clientGone = true;
            job.cancel();                          // the client has gone: free its batch slot
            throw ApiException.clientClosed("the client closed the connection during the stream");
        }
    }

    /** A JSON string literal. */
    private static String quote(String text) {
        return "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    private static ObjectNode chunk(String id, String object, long created, String model, int index, ObjectNode delta,
                                    String finish, boolean chat) {
        ObjectNode out = envelope(id, object, created, model);
        ObjectNode c = out.putArray("choices").addObject();
        c.put("index", index);
        if (chat) {
            c.set("delta", delta);
        } else {
            c.put("text", delta.path("content").asText(""));
        }
        c.putNull("logprobs");
        if (finish == null) {
            c.putNull("finish_reason");
        } else {
            c.put("finish_reason", finish);
        }
        return out;
    }

    private static ObjectNode envelope(String id, String object, long created, String model) {
        ObjectNode out = HearthServer.JSON.createObjectNode();
        out.put("id", id);
        out.put("object", object);
        out.put("created", created);
        out.put("model", model);
        out.putNull("system_fingerprint");
        return out;
    }

    /** OpenAI's usage, with how many prompt tokens the prefix cache held ({@code prompt_tokens_details}). */
    private static ObjectNode usage(Call call, GenerationJob job) {
        ObjectNode u = HearthServer.JSON.createObjectNode();
        u.put("prompt_tokens", call.promptTokens);
        u.put("completion_tokens", call.completionTokens);
        u.put("total_tokens", call.promptTokens + call.completionTokens);
        u.putObject("prompt_tokens_details").put("cached_tokens", job.cachedPromptTokens());
        return u;
    }

    private static String finishReason(FinishReason r) {
        return r == FinishReason.MAX_TOKENS || r == FinishReason.CONTEXT_FULL ? "length" : "stop";
    }

    /**
     * OpenAI's {@code user}: the caller's own id for the end user, kept in the audit log so abuse can
     * be traced to them. Like OpenAI, we suggest callers send a hash or an opaque id, not a name.
     */
    private static String endUser(RequestFields f) {
        String user = f.string("user", null);
        if (user != null && user.codePointCount(0, user.length()) > MAX_END_USER) {
            throw ApiException.invalid("user", "'user' is " + user.codePointCount(0, user.length())
                    + " characters; at most " + MAX_END_USER + " (send an opaque id or a hash of the user)");
        }
        return user;
    }

    // ---- embeddings

    void embeddings(Call call) throws Exception {
        RequestFields f = new RequestFields(HearthServer.parseBody(call.ctx(), options.maxBodyBytes()));
        ServedModel served = resolve(call, f);
        call.endUser = endUser(f);
        String format = f.string("encoding_format", "float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.invalid("encoding_format", "'encoding_format' must be float or base64, got '" + format
                    + "'");
        }
        Inputs parsed = inputs(f.node("input"), served, "input", pii);
        List<int[]> inputs = parsed.ids();
        call.prompt = parsed.text();
        if (inputs.size() > 2048) {
            throw ApiException.invalid("input", "'input' holds " + inputs.size() + " items; at most 2048 per request");
        }
        int context = served.loaded().model().contextLength();
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).length > context) {
                throw ApiException.invalid("input", "context_length_exceeded", "input " + i + " is "
                        + inputs.get(i).length + " tokens; this model reads at most " + context);
            }
            call.promptTokens += inputs.get(i).length;
        }
        reserveQuota(call, 0);
        List<float[]> vectors;
        var future = served.scheduler().callEach(inputs, OpenAiEndpoints::embed);
        call.submitted = true;
        call.watchHangUp(() -> future.completeExceptionally(ApiException.clientClosed("the client closed the"
                + " connection before the embeddings were computed")));
        long left = options.requestTimeout().toNanos() - (System.nanoTime() - call.startNanos());
        try {
            vectors = future.get(Math.max(1, left), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw ApiException.timeout();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiException a) {
                throw a;
            }
            throw ApiException.internal("embedding failed: " + e.getCause().getMessage());
        }
        ArrayNode data = HearthServer.JSON.createArrayNode();
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode e = data.addObject();
            e.put("object", "embedding");
            e.put("index", i);
            if (format.equals("base64")) {
                ByteBuffer b = ByteBuffer.allocate(vectors.get(i).length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(vectors.get(i));
                e.put("embedding", Base64.getEncoder().encodeToString(b.array()));
            } else {
                ArrayNode v = e.putArray("embedding");
                for (float x : vectors.get(i)) {
                    v.add(x);
                }
            }
        }
        ObjectNode out = HearthServer.JSON.createObjectNode();
        out.put("object", "list");
        out.set("data", data);
        out.put("model", served.id());
        ObjectNode u = out.putObject("usage");
        u.put("prompt_tokens", call.promptTokens);
        u.put("total_tokens", call.promptTokens);
        call.json(out);
    }

    /** Mean of the final hidden states over the input's tokens, scaled to unit length. */
    static float[] embed(LanguageModel model, int[] ids) {
        Tensor h = model.hidden(ids, 1, ids.length, 0, null, null).contiguous();       // (1, T, C)
        int dim = h.dim(2);
        float[] d = h.data();
        float[] v = new float[dim];
        for (int t = 0; t < ids.length; t++) {
            for (int c = 0; c < dim; c++) {
                v[c] += d[h.offset() + t * dim + c];
            }
        }
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0;
        for (int c = 0; c < dim; c++) {
            v[c] *= scale;
        }
        return v;
    }

    // ---- feedback

    /**
     * The audit record of the answer {@code requestId} that this key received (an admin's: any).
     * A stream's record is written just after its last event, so a quick client may ask before it
     * is there: look a few times.
     */
    private dev.hearth.store.AuditRecord answerFor(Call call, String requestId) throws InterruptedException {
        for (int attempt = 0; attempt < 10; attempt++) {
            var found = store.audit().byRequestId(requestId).stream()
                    .map(dev.hearth.store.AuditEntry::record)
                    .filter(r -> r.status() == 200 && r.modelVersion() != null)
                    .filter(r -> call.key.role() == dev.hearth.store.Role.ADMIN || call.key.id().equals(r.keyId()))
                    .findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(100);
        }
        throw ApiException.notFound("request_not_found", "id", "no answer with id '" + requestId + "' was given to"
                + " this key; send the id of a completion you received");
    }

    void feedback(Call call) throws InterruptedException {
        RequestFields f = new RequestFields(HearthServer.parseBody(call.ctx(), options.maxBodyBytes()));
        String requestId = f.requiredString("id");
        int rating = (int) f.integer("rating", 0, -1, 5);
        if (!f.has("rating")) {
            throw ApiException.invalid("rating", "missing required parameter 'rating' (-1 or 1 for thumbs, or 1 to 5)");
        }
        String comment = f.string("comment", null);
        if (comment != null && comment.length() > 10_000) {
            throw ApiException.invalid("comment", "'comment' is " + comment.length() + " characters; at most 10000");
        }
        // Feedback is taken only on an answer this key received (an admin may rate any), and is
        // filed against the model version that gave it: no one can poison another key's data.
        dev.hearth.store.AuditRecord answered = answerFor(call, requestId);
        String model = answered.model();
        String version = answered.modelVersion();
        call.model = model;
        call.modelVersion = version;
        store.feedback().add(new Feedback(requestId, call.key.id(), model, version, rating, comment, Instant.now()));
        ObjectNode out = HearthServer.JSON.createObjectNode();
        out.put("object", "feedback");
        out.put("id", requestId);
        out.put("stored", true);
        call.json(out);
    }
}
