package dev.hearth.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.tokenize.EncodeOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A chat template written as one pattern per role ({@code {content}} is replaced by the message),
 * then the generation prompt that opens the assistant's turn: Hearth's own {@code
 * chat_template.json} ({@code name}, {@code system}, {@code user}, {@code assistant}, {@code
 * generation_prompt}, {@code stop}), ChatML, and plain {@code role: content} lines.
 */
public record PatternChatTemplate(String name, Map<String, String> turns, String generationPrompt, List<String> stop)
        implements ChatTemplate {

    public PatternChatTemplate {
        turns = Map.copyOf(turns);
        stop = List.copyOf(stop);
        for (String role : List.of("system", "user", "assistant")) {
            String t = turns.get(role);
            if (t == null || !t.contains("{content}")) {
                throw new HearthException("chat template \"" + name + "\": the " + role + " turn must be a pattern"
                        + " containing {content}");
            }
        }
    }

    /** ChatML, as Qwen and many others use it. */
    public static PatternChatTemplate chatMl() {
        return new PatternChatTemplate("chatml", Map.of(
                "system", "<|im_start|>system\n{content}<|im_end|>\n",
                "user", "<|im_start|>user\n{content}<|im_end|>\n",
                "assistant", "<|im_start|>assistant\n{content}<|im_end|>\n"),
                "<|im_start|>assistant\n", List.of("<|im_end|>"));
    }

    /** {@code role: content} lines, for models trained on plain text. */
    public static PatternChatTemplate plain() {
        return new PatternChatTemplate("plain", Map.of(
                "system", "{content}\n",
                "user", "user: {content}\n",
                "assistant", "assistant: {content}\n"),
                "assistant:", List.of("\nuser:"));
    }

    /** Hearth's {@code chat_template.json}, read from {@code file} into {@code n}. */
    static PatternChatTemplate read(Path file, JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new HearthException(file + " must hold a JSON object with system, user, assistant,"
                    + " generation_prompt and stop");
        }
        List<String> stop = new ArrayList<>();
        n.path("stop").forEach(s -> stop.add(s.asText()));
        return new PatternChatTemplate(n.path("name").asText(file.getFileName().toString()), Map.of(
                "system", n.path("system").asText(""),
                "user", n.path("user").asText(""),
                "assistant", n.path("assistant").asText("")),
                n.path("generation_prompt").asText(""), stop);
    }

    /** Writes this template as {@code chat_template.json} (the format {@link #read} reads). */
    public void save(Path file) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("name", name);
        out.put("system", turns.get("system"));
        out.put("user", turns.get("user"));
        out.put("assistant", turns.get("assistant"));
        out.put("generation_prompt", generationPrompt);
        out.put("stop", stop);
        try {
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
        } catch (IOException e) {
            throw new HearthException("cannot write the chat template " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String render(List<Map.Entry<String, String>> messages) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> m : messages) {
            String pattern = turns.get(m.getKey());
            if (pattern == null) {
                throw new HearthException("role \"" + m.getKey() + "\" is not one of system, user, assistant");
            }
            sb.append(pattern.replace("{content}", m.getValue()));
        }
        return sb.append(generationPrompt).toString();
    }

    @Override
    public EncodeOptions encodeOptions() {
        return EncodeOptions.HUGGING_FACE_DEFAULT;
    }
}
