package dev.hearth.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.io.StoredFiles;
import dev.hearth.engine.tokenize.EncodeOptions;
import dev.hearth.engine.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns a chat (system, user and assistant messages) into the prompt text a model was trained
 * on, and says which strings end the assistant's turn.
 *
 * <p>Where a model's template comes from, first found wins:
 * <ol>
 *   <li>{@code chat_template.json} in the model folder: Hearth's pattern format ({@link
 *       PatternChatTemplate}), or Hugging Face's {@code {"chat_template": "..."}};</li>
 *   <li>{@code chat_template.jinja} (Hugging Face's file for the Jinja template);</li>
 *   <li>the {@code chat_template} of {@code tokenizer_config.json}, as Hugging Face models ship it
 *       (a string, or a list of named templates of which {@code default} is used);</li>
 *   <li>ChatML when the tokenizer knows {@code <|im_start|>} (Qwen and others);</li>
 *   <li>plain {@code role: content} lines.</li>
 * </ol>
 */
public sealed interface ChatTemplate permits PatternChatTemplate, JinjaChatTemplate {

    /** Hearth's pattern file, or Hugging Face's processor file holding a Jinja template. */
    String FILE = "chat_template.json";
    /** Hugging Face's file for a Jinja chat template. */
    String JINJA_FILE = "chat_template.jinja";
    /** Hugging Face's tokenizer settings, which usually carry the chat template. */
    String TOKENIZER_CONFIG = "tokenizer_config.json";

    /** A name for logs and errors. */
    String name();

    /** The prompt for {@code messages} (role, content), ending with what opens the assistant's turn. */
    String render(List<Map.Entry<String, String>> messages);

    /** Text that ends the assistant's turn, besides the model's end-of-sequence tokens. */
    List<String> stop();

    /**
     * How to encode the rendered prompt. Pattern templates write no special tokens of the
     * tokenizer's post-processor, so it is applied; a Jinja template writes them itself (as
     * {@code bos_token}), so, as in Hugging Face's {@code apply_chat_template}, it is not.
     */
    EncodeOptions encodeOptions();

    /** The template a model folder asks for (see the class comment). */
    static ChatTemplate forModel(Path dir, Tokenizer tokenizer) {
        Path file = dir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            JsonNode n = readJson(file);
            if (n != null && n.has("chat_template")) {
                return JinjaChatTemplate.fromHuggingFace(file, n.get("chat_template"), tokenizerConfig(dir));
            }
            return PatternChatTemplate.read(file, n);
        }
        Path jinja = dir.resolve(JINJA_FILE);
        if (Files.isRegularFile(jinja)) {
            String source;
            try {
                source = new String(StoredFiles.readAllBytes(jinja), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new HearthException("cannot read the chat template " + jinja + ": " + e.getMessage(), e);
            }
            return JinjaChatTemplate.of(jinja.toString(), source, tokenizerConfig(dir));
        }
        JsonNode config = tokenizerConfig(dir);
        if (config != null && config.hasNonNull("chat_template")) {
            return JinjaChatTemplate.fromHuggingFace(dir.resolve(TOKENIZER_CONFIG), config.get("chat_template"), config);
        }
        if (tokenizer != null && tokenizer.specialTokenId("<|im_start|>").isPresent()) {
            return PatternChatTemplate.chatMl();
        }
        return PatternChatTemplate.plain();
    }

    /** ChatML, as Qwen and many others use it. */
    static ChatTemplate chatMl() {
        return PatternChatTemplate.chatMl();
    }

    /** {@code role: content} lines, for models trained on plain text. */
    static ChatTemplate plain() {
        return PatternChatTemplate.plain();
    }

    private static JsonNode tokenizerConfig(Path dir) {
        Path file = dir.resolve(TOKENIZER_CONFIG);
        return Files.isRegularFile(file) ? readJson(file) : null;
    }

    private static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(StoredFiles.readAllBytes(file)); // plain or encrypted at rest
        } catch (IOException e) {
            throw new HearthException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
