package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PiiMaskingLayoutTest {
    @Test
    void messagesAndStackTracesLoseTheirPersonalData() {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        ctx.start();
        PiiMaskingLayout layout = new PiiMaskingLayout();
        layout.setContext(ctx);
        layout.setPattern("%level %logger{20}: %msg%n%ex");
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(ctx);
        encoder.setLayout(layout);
        encoder.start();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(ctx);
        appender.setEncoder(encoder);
        appender.setOutputStream(bytes);
        appender.start();
        Logger log = ctx.getLogger("dev.hearth.serve.Test");
        log.addAppender(appender);
        log.error("request from ann.lee@example.com failed", new IllegalStateException("cannot parse card 4111 1111 1111 1111"));
        log.warn("user 我叫王小明 called from 13800138000");
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("request from <EMAIL_ADDRESS> failed", "cannot parse card <CREDIT_CARD>",
                "我叫<PERSON> called from <PHONE_NUMBER>", "at dev.hearth.cli.PiiMaskingLayoutTest");
        assertThat(out).doesNotContain("ann.lee", "4111", "王小明", "13800138000");
    }

    @Test
    void theShippedConfigurationUsesIt() throws Exception {
        String xml = new String(PiiMaskingLayoutTest.class.getResourceAsStream("/logback.xml").readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(xml).contains("dev.hearth.cli.PiiMaskingLayout");
    }
}
