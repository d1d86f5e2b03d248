package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against a running Hearth server: the proof that existing clients work. */
class OpenAiSdkIT {
    private static TestServer s;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        s = new TestServer(TestServer.tempHome());
        client = OpenAIOkHttpClient.builder().baseUrl(s.url() + "/v1").apiKey(s.user).maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        s.close();
    }

    @Test
    void listsModels() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertThat(ids).contains("tiny", "tiny@champion", "tiny:1");
    }

    @Test
    void completesPlainAndStreamed() {
        CompletionCreateParams params = CompletionCreateParams.builder().model("tiny").prompt("hello").maxTokens(6)
                .seed(7).build();
        Completion c = client.completions().create(params);
        assertThat(c.model()).isEqualTo("tiny:1");
        assertThat(c.choices()).hasSize(1);
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(6);
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> streamed.append(ch.text())));
        }
        assertThat(streamed.toString()).isEqualTo(c.choices().getFirst().text());
    }

    @Test
    void chatsPlainAndStreamed() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("tiny")
                .addSystemMessage("be brief").addUserMessage("hello").maxCompletionTokens(5).seed(3).build();
        ChatCompletion c = client.chat().completions().create(params);
        assertThat(c.choices().getFirst().message().content()).isPresent();
        String whole = c.choices().getFirst().message().content().orElseThrow();
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content()
                    .ifPresent(streamed::append)));
        }
        assertThat(streamed.toString()).isEqualTo(whole);
        // the SDK reads how much of the prompt the prefix cache held: every whole block of 16 tokens before its last
        ChatCompletion again = client.chat().completions().create(params);
        long prompt = again.usage().orElseThrow().promptTokens();
        assertThat(prompt).isGreaterThan(16);
        assertThat(again.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens())
                .contains((prompt - 1) / 16 * 16);
        assertThat(again.choices().getFirst().message().content()).contains(whole);
    }

    @Test
    void embeds() {
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("tiny")
                .input("hello there").build());
        assertThat(r.data().getFirst().embedding()).hasSize(32);
    }

    @Test
    void errorsArriveAsTheSdksExceptions() {
        assertThatThrownBy(() -> client.completions().create(CompletionCreateParams.builder().model("nope")
                .prompt("a").build())).isInstanceOf(NotFoundException.class).hasMessageContaining("nope");
        OpenAIClient wrong = OpenAIOkHttpClient.builder().baseUrl(s.url() + "/v1").apiKey("hk-wrong").maxRetries(0)
                .build();
        assertThatThrownBy(() -> wrong.models().list()).isInstanceOf(UnauthorizedException.class);
        wrong.close();
    }
}
