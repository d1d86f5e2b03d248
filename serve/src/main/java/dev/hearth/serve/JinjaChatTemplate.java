package dev.hearth.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.tokenize.EncodeOptions;
import dev.hearth.engine.tokenize.SpecialTokenPolicy;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face chat template: Jinja source rendered with the variables {@code
 * transformers.apply_chat_template} gives it ({@code messages}, {@code add_generation_prompt},
 * {@code bos_token}, {@code eos_token}, {@code unk_token}, {@code pad_token}) and the functions
 * {@code raise_exception(message)} and {@code strftime_now(format)}, with {@code trim_blocks} and
 * {@code lstrip_blocks} on, as there. Rendering uses Jinjava; the Python string methods templates
 * call ({@code startswith}, {@code endswith}, {@code lstrip}, {@code rstrip}, {@code upper}, {@code
 * lower}) are mapped to Java's. The template is tried on a short conversation when it is read, so a
 * template Jinjava cannot run fails when the model loads, naming the file, not on a request.
 */
public final class JinjaChatTemplate implements ChatTemplate {

    /** The longest prompt a template may write (characters), far past any context. */
    private static final long MAX_OUTPUT = 16L << 20;

    private static final Jinjava JINJA = jinjava();

    private static final Pattern PYTHON_METHODS = Pattern.compile(
            "\\.(startswith|endswith|lstrip|rstrip|upper|lower)\\(");
    private static final Map<String, String> JAVA_METHODS = Map.of(
            "startswith", "startsWith", "endswith", "endsWith", "lstrip", "stripLeading", "rstrip", "stripTrailing",
            "upper", "toUpperCase", "lower", "toLowerCase");

    private final String name;
    private final String source;
    private final Map<String, String> specialTokens;
    private final List<String> stop;

    private JinjaChatTemplate(String name, String source, Map<String, String> specialTokens) {
        this.name = name;
        this.source = source;
        this.specialTokens = Map.copyOf(specialTokens);
        String eos = specialTokens.get("eos_token");
        this.stop = eos == null || eos.isEmpty() ? List.of() : List.of(eos);
    }

    /**
     * A template from its Jinja source; {@code tokenizerConfig} (Hugging Face's {@code
     * tokenizer_config.json}, or null) gives the special tokens' text.
     *
     * @param where where the source came from, for errors
     */
    public static JinjaChatTemplate of(String where, String source, JsonNode tokenizerConfig) {
        if (source == null || source.isBlank()) {
            throw new HearthException("the chat template in " + where + " is empty");
        }
        Map<String, String> special = new HashMap<>();
        for (String key : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
            tokenText(tokenizerConfig, key).ifPresent(text -> special.put(key, text));
        }
        JinjaChatTemplate t = new JinjaChatTemplate(where, pythonMethodsToJava(source), special);
        t.tryOut(where);
        return t;
    }

    /**
     * The {@code chat_template} entry of a Hugging Face file: a string, or a list of
     * {@code {name, template}} of which the one named {@code default} is used.
     */
    static JinjaChatTemplate fromHuggingFace(Path file, JsonNode entry, JsonNode tokenizerConfig) {
        if (entry.isTextual()) {
            return of(file.toString(), entry.asText(), tokenizerConfig);
        }
        if (entry.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode t : entry) {
                names.add(t.path("name").asText("?"));
                if ("default".equals(t.path("name").asText()) && t.path("template").isTextual()) {
                    return of(file + " (template \"default\")", t.get("template").asText(), tokenizerConfig);
                }
            }
            throw new HearthException(file + ": chat_template lists the templates " + names
                    + " but none named \"default\", the one a chat without tools uses");
        }
        throw new HearthException(file + ": chat_template must be a string or a list of {name, template}, got "
                + entry.getNodeType().toString().toLowerCase(Locale.ROOT));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> stop() {
        return stop;
    }

    @Override
    public EncodeOptions encodeOptions() {
        return new EncodeOptions(SpecialTokenPolicy.RECOGNIZE, false);
    }

    /**
     * Renders the conversation with the generation prompt. A template that refuses the
     * conversation ({@code raise_exception}, e.g. roles that do not alternate) answers 400 with its
     * message; any other failure is the template's fault and answers 500 naming it.
     */
    @Override
    public String render(List<Map.Entry<String, String>> messages) {
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (Map.Entry<String, String> m : messages) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.getKey());
            message.put("content", m.getValue());
            list.add(message);
        }
        Map<String, Object> context = new HashMap<>(specialTokens);
        context.put("messages", list);
        context.put("add_generation_prompt", true);
        RenderResult result = JINJA.renderForResult(source, context);
        Optional<String> refused = refusal(result);
        if (refused.isPresent()) {
            throw ApiException.invalid("messages", "the model's chat template refuses this conversation: "
                    + refused.get());
        }
        String failure = failure(result);
        if (failure != null) {
            throw ApiException.internal("the chat template of " + name + " failed: " + failure);
        }
        return result.getOutput();
    }

    /** Renders a short conversation once, so that a template Jinjava cannot run is found at load. */
    private void tryOut(String where) {
        List<Map<String, Object>> sample = new ArrayList<>();
        for (String[] m : new String[][] {{"user", "Hello."}, {"assistant", "Hi, how can I help?"},
                {"user", "Tell me a story."}}) {
            sample.add(new LinkedHashMap<>(Map.of("role", m[0], "content", m[1])));
        }
        Map<String, Object> context = new HashMap<>(specialTokens);
        context.put("messages", sample);
        context.put("add_generation_prompt", true);
        RenderResult result = JINJA.renderForResult(source, context);
        String failure = refusal(result).isPresent() ? null : failure(result);
        if (failure != null) {
            throw new HearthException("the chat template in " + where + " cannot be rendered: " + failure
                    + " (Hearth renders Hugging Face templates with Jinjava; see docs/serving.md)");
        }
    }

    /** The message of a {@code raise_exception} call during rendering, if there was one. */
    private static Optional<String> refusal(RenderResult result) {
        for (TemplateError e : result.getErrors()) {
            for (Throwable t = e.getException(); t != null; t = t.getCause()) {
                if (t instanceof Raised r) {
                    return Optional.of(r.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    /** The first fatal error, with its line, or null when rendering succeeded. */
    private static String failure(RenderResult result) {
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                return e.getMessage() + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : "");
            }
        }
        return null;
    }

    /** {@code raise_exception(message)}: the template refuses the conversation. */
    public static String raiseException(String message) {
        throw new Raised(message);
    }

    /** {@code strftime_now(format)}: the current local time in C's strftime format. */
    public static String strftimeNow(String format) {
        ZonedDateTime now = ZonedDateTime.now();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char code = format.charAt(++i);
            switch (code) {
                case 'd' -> sb.append(String.format("%02d", now.getDayOfMonth()));
                case 'm' -> sb.append(String.format("%02d", now.getMonthValue()));
                case 'Y' -> sb.append(now.getYear());
                case 'y' -> sb.append(String.format("%02d", now.getYear() % 100));
                case 'H' -> sb.append(String.format("%02d", now.getHour()));
                case 'M' -> sb.append(String.format("%02d", now.getMinute()));
                case 'S' -> sb.append(String.format("%02d", now.getSecond()));
                case 'b' -> sb.append(now.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> sb.append(now.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> sb.append(now.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> sb.append(now.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'j' -> sb.append(String.format("%03d", now.getDayOfYear()));
                case '%' -> sb.append('%');
                default -> sb.append('%').append(code);
            }
        }
        return sb.toString();
    }

    static String pythonMethodsToJava(String source) {
        Matcher m = PYTHON_METHODS.matcher(source);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, "." + JAVA_METHODS.get(m.group(1)) + "(");
        }
        return m.appendTail(sb).toString();
    }

    /** A special token's text in tokenizer_config.json: a string, or an object with {@code content}. */
    private static Optional<String> tokenText(JsonNode config, String key) {
        if (config == null || !config.hasNonNull(key)) {
            return Optional.empty();
        }
        JsonNode n = config.get(key);
        if (n.isTextual()) {
            return Optional.of(n.asText());
        }
        return n.path("content").isTextual() ? Optional.of(n.get("content").asText()) : Optional.empty();
    }

    private static Jinjava jinjava() {
        Jinjava j = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withMaxOutputSize(MAX_OUTPUT)
                .build());
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                JinjaChatTemplate.class, "raiseException", String.class));
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                JinjaChatTemplate.class, "strftimeNow", String.class));
        return j;
    }

    /** What {@code raise_exception} throws. */
    private static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message, null, false, false);
        }
    }
}
