package dev.hearth.cli;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.hearth.guard.pii.Anonymizer;
import dev.hearth.guard.pii.PiiAnalyzer;
import dev.hearth.guard.pii.Pseudonyms;
import dev.hearth.guard.pii.ScrubPolicy;

/**
 * A Logback layout that writes no personal data: each formatted line, exception messages and
 * stack traces included, passes through the PII analyzer and every finding is replaced by its
 * type tag ({@code <EMAIL_ADDRESS>}). Hearth's own logback.xml uses it for everything it logs, so
 * an error that quotes a request ("cannot parse ... ann@example.com") never leaks the address.
 *
 * <pre>{@code
 * <encoder class="ch.qos.logback.core.encoder.LayoutWrappingEncoder">
 *   <layout class="dev.hearth.cli.PiiMaskingLayout"><pattern>%level %logger{20}: %msg%n</pattern></layout>
 * </encoder>
 * }</pre>
 */
public final class PiiMaskingLayout extends PatternLayout {
    private static final PiiAnalyzer ANALYZER = PiiAnalyzer.builder().build();
    private static final Anonymizer TAGS = new Anonymizer(ScrubPolicy.defaults(), null, new Pseudonyms());

    @Override
    public String doLayout(ILoggingEvent event) {
        return mask(super.doLayout(event));
    }

    static String mask(String line) {
        return TAGS.anonymize(line, ANALYZER.analyze(line), null);
    }
}
