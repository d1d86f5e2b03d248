package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.engine.HearthException;
import dev.hearth.engine.tokenize.SpecialTokenPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face chat templates, written in the styles real models ship (ChatML, Llama 2, Zephyr). */
class JinjaChatTemplateTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
            + "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** Llama 2's shape: the system prompt folded into the first user turn, roles must alternate. */
    static final String LLAMA2 = "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
            + "{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
            + "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
            + "{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ '[INST] ' + content.strip() + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' ' + content.strip() + ' ' + eos_token }}{% endif %}"
            + "{% endfor %}";

    /** Zephyr's shape: block tags on their own lines, which trim_blocks and lstrip_blocks remove. */
    static final String ZEPHYR = """
            {% for message in messages %}
              {% if message['role'] == 'user' %}
            {{ '<|user|>\\n' + message['content'] + eos_token }}
              {% elif message['role'] == 'system' %}
            {{ '<|system|>\\n' + message['content'] + eos_token }}
              {% elif message['role'] == 'assistant' %}
            {{ '<|assistant|>\\n'  + message['content'] + eos_token }}
              {% endif %}
              {% if loop.last and add_generation_prompt %}
            {{ '<|assistant|>' }}
              {% endif %}
            {% endfor %}""";

    static final List<Map.Entry<String, String>> CHAT = List.of(Map.entry("system", " Be brief. "),
            Map.entry("user", "Hi there"), Map.entry("assistant", "Hello!"), Map.entry("user", "Bye"));

    @TempDir
    Path dir;

    private ChatTemplate fromTokenizerConfig(Object template) throws Exception {
        ObjectNode config = JSON.createObjectNode();
        config.set("chat_template", JSON.valueToTree(template));
        config.put("bos_token", "<s>");
        config.putObject("eos_token").put("content", "</s>").put("special", true);
        Files.writeString(dir.resolve(ChatTemplate.TOKENIZER_CONFIG), JSON.writeValueAsString(config));
        return ChatTemplate.forModel(dir, null);
    }

    @Test
    void readsTheTemplateOfTokenizerConfigAndRendersChatMl() throws Exception {
        ChatTemplate t = fromTokenizerConfig(CHATML);
        assertThat(t).isInstanceOf(JinjaChatTemplate.class);
        assertThat(t.render(CHAT)).isEqualTo("<|im_start|>system\n Be brief. <|im_end|>\n<|im_start|>user\nHi there"
                + "<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n"
                + "<|im_start|>assistant\n");
        assertThat(t.stop()).containsExactly("</s>");
        assertThat(t.encodeOptions().applyTemplate()).isFalse();   // the template writes BOS itself
        assertThat(t.encodeOptions().specialTokens()).isEqualTo(SpecialTokenPolicy.RECOGNIZE);
    }

    @Test
    void rendersLlama2WithTheSpecialTokensAndRefusesRolesThatDoNotAlternate() throws Exception {
        ChatTemplate t = fromTokenizerConfig(LLAMA2);
        assertThat(t.render(CHAT)).isEqualTo("<s>[INST] <<SYS>>\n Be brief. \n<</SYS>>\n\nHi there [/INST] Hello! </s>"
                + "[INST] Bye [/INST]");
        assertThatThrownBy(() -> t.render(List.of(Map.entry("user", "a"), Map.entry("user", "b"))))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("refuses this conversation")
                .hasMessageContaining("Conversation roles must alternate");
    }

    @Test
    void trimsBlockLinesAsTransformersDoes() throws Exception {
        assertThat(fromTokenizerConfig(ZEPHYR).render(CHAT)).isEqualTo("<|system|>\n Be brief. </s>\n<|user|>\n"
                + "Hi there</s>\n<|assistant|>\nHello!</s>\n<|user|>\nBye</s>\n<|assistant|>\n");
    }

    @Test
    void pythonStringMethodsWork() throws Exception {
        ChatTemplate t = fromTokenizerConfig("{% for m in messages %}{% if m.content.startswith('Hi') %}"
                + "{{ m.content.upper() }}|{% elif m.content.endswith(' ') %}{{ m.content.lstrip() }}|"
                + "{{ m.content.rstrip() }}|{% endif %}{% endfor %}");
        assertThat(t.render(CHAT)).isEqualTo("Be brief. | Be brief.|HI THERE|");
    }

    @Test
    void usesTheDefaultOfNamedTemplatesAndTheJinjaFile() throws Exception {
        ChatTemplate named = fromTokenizerConfig(List.of(Map.of("name", "tool_use", "template", "TOOLS"),
                Map.of("name", "default", "template", CHATML)));
        assertThat(named.render(List.of(Map.entry("user", "x")))).startsWith("<|im_start|>user\nx<|im_end|>");

        Files.writeString(dir.resolve(ChatTemplate.JINJA_FILE), "{% for m in messages %}[{{ m.role }}]{{ m.content }}"
                + "{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}");
        assertThat(ChatTemplate.forModel(dir, null).render(List.of(Map.entry("user", "x")))).isEqualTo("[user]x[assistant]");

        Files.writeString(dir.resolve(ChatTemplate.FILE), JSON.writeValueAsString(Map.of("chat_template", "{{ 'p' }}")));
        assertThat(ChatTemplate.forModel(dir, null).render(List.of(Map.entry("user", "x")))).isEqualTo("p");
    }

    @Test
    void aTemplateThatCannotRunFailsWhenTheModelLoads() throws Exception {
        assertThatThrownBy(() -> fromTokenizerConfig("{% for m in messages %}{{ m.content.casefold_me() }}{% endfor %}"))
                .isInstanceOf(HearthException.class)
                .hasMessageContaining(ChatTemplate.TOKENIZER_CONFIG)
                .hasMessageContaining("cannot be rendered");
        assertThatThrownBy(() -> fromTokenizerConfig(List.of(Map.of("name", "tool_use", "template", "x"))))
                .isInstanceOf(HearthException.class)
                .hasMessageContaining("none named \"default\"");
        assertThatThrownBy(() -> fromTokenizerConfig(42))
                .isInstanceOf(HearthException.class)
                .hasMessageContaining("must be a string or a list");
        assertThatThrownBy(() -> fromTokenizerConfig(" "))
                .isInstanceOf(HearthException.class)
                .hasMessageContaining("is empty");
    }

    @Test
    void withoutAJinjaTemplateTheFolderFallsBackToPatterns() {
        assertThat(ChatTemplate.forModel(dir, null)).isEqualTo(ChatTemplate.plain());
    }
}
