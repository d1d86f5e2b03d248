package dev.hearth.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PiiGuardTest {
    private static final String ANSWER = "Sure. Write to ann.lee@example.com, or call +44 20 7946 0958 before Friday;"
            + " Dr. Ann Lee (card 4111 1111 1111 1111) says hi. " + "Nothing else here. ".repeat(6)
            + "Last: bob@example.org";

    @Test
    void redactReplacesPersonalDataByItsTagBothWays() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PiiGuard g = new PiiGuard(PiiMode.REDACT, registry);
        assertThat(g.prompt("mail ann@example.com", "prompt")).isEqualTo("mail <EMAIL_ADDRESS>");
        assertThat(g.answer("call +44 20 7946 0958")).isEqualTo("call <PHONE_NUMBER>");
        assertThat(registry.get("hearth_pii_findings").tag("where", "prompt").tag("type", "EMAIL_ADDRESS").counter().count())
                .isEqualTo(1);
    }

    @Test
    void logCountsAndChangesNothing() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PiiGuard g = new PiiGuard(PiiMode.LOG, registry);
        assertThat(g.prompt("mail ann@example.com", "prompt")).isEqualTo("mail ann@example.com");
        assertThat(registry.get("hearth_pii_findings").tag("where", "prompt").tag("type", "EMAIL_ADDRESS").counter().count())
                .isEqualTo(1);
    }

    @Test
    void blockRefusesPromptsNamingTypesNotValues() {
        PiiGuard g = new PiiGuard(PiiMode.BLOCK, new SimpleMeterRegistry());
        assertThatThrownBy(() -> g.prompt("I am Ann Lee, ann@example.com", "messages[0].content"))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("EMAIL_ADDRESS").hasMessageContaining("PERSON").hasMessageNotContaining("ann@");
        assertThat(g.prompt("no personal data here", "prompt")).isEqualTo("no personal data here");
        assertThat(g.answer("mail ann@example.com")).isEqualTo("mail <EMAIL_ADDRESS>");
    }

    @Test
    void streamsAreRedactedExactlyAsWholeAnswersHoweverTheyAreCut() {
        PiiGuard g = new PiiGuard(PiiMode.REDACT, new SimpleMeterRegistry());
        String whole = g.answer(ANSWER);
        assertThat(whole).doesNotContain("ann.lee@", "7946", "4111", "bob@");
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            PiiGuard.Stream s = g.stream();
            StringBuilder sent = new StringBuilder();
            int at = 0;
            while (at < ANSWER.length()) {
                int n = Math.min(ANSWER.length() - at, 1 + r.nextInt(seed % 2 == 0 ? 3 : 12));
                String piece = s.push(ANSWER.substring(at, at + n));
                assertThat(sent.toString() + piece).doesNotContain("ann.lee@example", "7946 0958", "1111 1111");
                sent.append(piece);
                at += n;
            }
            sent.append(s.finish());
            assertThat(sent.toString()).as("seed " + seed).isEqualTo(whole);
        }
    }

    @Test
    void offChangesNothingAndStreamsPassThrough() {
        PiiGuard g = new PiiGuard(PiiMode.OFF, new SimpleMeterRegistry());
        assertThat(g.prompt("ann@example.com", "prompt")).isEqualTo("ann@example.com");
        assertThat(g.stream().push("ann@")).isEqualTo("ann@");
    }

    @Test
    void aServerInBlockModeRefusesPromptsHoldingPersonalData() {
        try (TestServer s = new TestServer(TestServer.tempHome(), ServeOptions.defaults().withPii(PiiMode.BLOCK))) {
            HttpResponse<String> r = s.post("/v1/completions", s.user,
                    "{\"model\":\"tiny\",\"prompt\":\"mail ann@example.com\",\"max_tokens\":2}");
            assertThat(r.statusCode()).isEqualTo(400);
            JsonNode e = TestServer.json(r).get("error");
            assertThat(e.get("code").asText()).isEqualTo("pii_detected");
            assertThat(e.get("param").asText()).isEqualTo("prompt");
            assertThat(e.get("message").asText()).contains("EMAIL_ADDRESS").doesNotContain("ann@");
            HttpResponse<String> chat = s.post("/v1/chat/completions", s.user, "{\"model\":\"tiny\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"call +44 20 7946 0958\"}],\"max_tokens\":2}");
            assertThat(TestServer.json(chat).at("/error/param").asText()).isEqualTo("messages[0].content");
            assertThat(s.post("/v1/completions", s.user, "{\"model\":\"tiny\",\"prompt\":\"hello\",\"max_tokens\":2}")
                    .statusCode()).isEqualTo(200);
            assertThat(s.store.audit().tail(3)).anySatisfy(a -> assertThat(a.record().status()).isEqualTo(400));
        }
    }
}
