package dev.hearth.guard.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.guard.crypto.KeyException;
import dev.hearth.guard.crypto.MasterKey;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnonymizerTest {
    private final MasterKey key = MasterKey.generate();
    private final PiiAnalyzer analyzer = PiiAnalyzer.builder().build();

    private String scrub(String text, ScrubPolicy policy, MasterKey k, Pseudonyms p) {
        return new Anonymizer(policy, k, p).anonymize(text, analyzer.analyze(text), new TypeCounts());
    }

    private static ScrubPolicy policy(String yaml) {
        return ScrubPolicy.parse(yaml, "test policy");
    }

    @Test
    void replaceRedactAndMask() {
        String text = "Mail ann@example.com or call +44 20 7946 0958.";
        assertThat(scrub(text, ScrubPolicy.defaults(), null, new Pseudonyms()))
                .isEqualTo("Mail <EMAIL_ADDRESS> or call <PHONE_NUMBER>.");
        assertThat(scrub(text, policy("default: redact"), null, new Pseudonyms())).isEqualTo("Mail  or call .");
        assertThat(scrub(text, policy("default: {operator: mask, chars: 4, from: end, char: '#'}"), null, new Pseudonyms()))
                .isEqualTo("Mail ann@example#### or call +44 20 7946 ####.");
        assertThat(scrub("邮箱 wang@example.com", policy("default: {operator: mask}"), null, new Pseudonyms()))
                .isEqualTo("邮箱 ****************");
    }

    @Test
    void hashesAreKeyedNeverPlain() {
        ScrubPolicy p = policy("default: {operator: hash, length: 16}");
        String a = scrub("call +44 20 7946 0958", p, key, new Pseudonyms());
        String b = scrub("call +44 20 7946 0958", p, key, new Pseudonyms());
        String c = scrub("call +44 20 7946 0958", p, MasterKey.generate(), new Pseudonyms());
        assertThat(a).isEqualTo(b).matches("call [0-9a-f]{16}").isNotEqualTo(c);
        assertThatThrownBy(() -> new Anonymizer(p, null, new Pseudonyms()))
                .hasMessageContaining("need a secret key").hasMessageContaining("HEARTH_MASTER_KEY");
    }

    @Test
    void pseudonymsStayTheSameAcrossRecordsAndRuns(@TempDir Path dir) {
        ScrubPolicy p = policy("entities: {PERSON: pseudonym}");
        Pseudonyms ps = new Pseudonyms();
        assertThat(scrub("Dr. Ann Lee met Mr. Bob Stone.", p, key, ps)).isEqualTo("Dr. <PERSON_1> met Mr. <PERSON_2>.");
        assertThat(scrub("Later Mr. Bob Stone called dr. ann lee... Dr. Ann Lee", p, key, ps))
                .isEqualTo("Later Mr. <PERSON_2> called dr. ann lee... Dr. <PERSON_1>");
        assertThat(ps.pseudonym(EntityType.PERSON, " ANN  LEE")).isEqualTo("<PERSON_1>");
        Path file = dir.resolve("map.henc");
        ps.save(file, key);
        Pseudonyms again = Pseudonyms.load(file, key);
        assertThat(scrub("Dr. Carl Moss and Dr. Bob Stone", p, key, again)).isEqualTo("Dr. <PERSON_3> and Dr. <PERSON_2>");
        assertThat(new Deanonymizer(key, again).deanonymize("<PERSON_1> and <PERSON_3>, not <PERSON_9>"))
                .isEqualTo("Ann Lee and Carl Moss, not <PERSON_9>");
        assertThatThrownBy(() -> Pseudonyms.load(file, MasterKey.generate())).isInstanceOf(KeyException.class)
                .hasMessageContaining("does not open with master key");
    }

    @Test
    void encryptionIsReversibleOnlyWithTheKey() {
        String text = "SSN 536-22-8172, card 4111 1111 1111 1111.";
        String scrubbed = scrub(text, policy("default: encrypt"), key, new Pseudonyms());
        assertThat(scrubbed).doesNotContain("536-22-8172").matches("SSN <ENC:US_SSN:[\\w-]+>, card <ENC:CREDIT_CARD:[\\w-]+>\\.");
        assertThat(new Deanonymizer(key, null).deanonymize(scrubbed)).isEqualTo(text);
        assertThatThrownBy(() -> new Deanonymizer(MasterKey.generate(), null).deanonymize(scrubbed))
                .isInstanceOf(KeyException.class).hasMessageContaining("does not open");
        String tampered = scrubbed.replace("<ENC:US_SSN:", "<ENC:CREDIT_CARD:");
        assertThatThrownBy(() -> new Deanonymizer(key, null).deanonymize(tampered)).isInstanceOf(KeyException.class);
    }

    @Test
    void fakeValuesKeepTheFormatAndPassTheChecks() {
        ScrubPolicy p = policy("default: fake");
        Anonymizer a = new Anonymizer(p, key, new Pseudonyms());
        Map<EntityType, String> values = Map.of(
                EntityType.CREDIT_CARD, "4111 1111 1111 1111", EntityType.IBAN_CODE, "DE89 3704 0044 0532 0130 00",
                EntityType.CN_RESIDENT_ID, "11010519491231002X", EntityType.CRYPTO, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
                EntityType.US_SSN, "536-22-8172", EntityType.PHONE_NUMBER, "+44 20 7946 0958",
                EntityType.DATE_TIME, "March 5, 2024", EntityType.MAC_ADDRESS, "00:1A:2B:3C:4D:5E");
        values.forEach((type, v) -> {
            Operator op = p.operatorFor(type);
            String fake = a.apply(op, type, v);
            assertThat(fake).as(type.name()).isNotEqualTo(v).isEqualTo(a.apply(op, type, v));
            assertThat(analyzer.analyze("value " + fake)).as(type + " " + fake).extracting(Finding::type).contains(type);
        });
        assertThat(a.apply(p.operatorFor(EntityType.CREDIT_CARD), EntityType.CREDIT_CARD, "4111 1111 1111 1111"))
                .matches("4\\d{3} \\d{4} \\d{4} \\d{4}");
        assertThat(a.apply(p.operatorFor(EntityType.PHONE_NUMBER), EntityType.PHONE_NUMBER, "+44 20 7946 0958"))
                .matches("\\+44 2\\d \\d{4} \\d{4}");
        assertThat(a.apply(p.operatorFor(EntityType.PERSON), EntityType.PERSON, "王小明")).matches("\\p{IsHan}{2,4}");
    }

    @Test
    void policiesAreCheckedStrictly() {
        ScrubPolicy p = policy("""
                threshold: 0.6
                types: [PERSON, EMAIL_ADDRESS]
                default: redact
                entities:
                  EMAIL_ADDRESS: {operator: mask, chars: 3, from: end}
                fields: [text]
                """);
        assertThat(p.threshold()).isEqualTo(0.6);
        assertThat(p.types()).isEqualTo(Set.of(EntityType.PERSON, EntityType.EMAIL_ADDRESS));
        assertThat(p.operatorFor(EntityType.PERSON).kind()).isEqualTo(Operator.Kind.REDACT);
        assertThat(p.operatorFor(EntityType.EMAIL_ADDRESS)).isEqualTo(Operator.mask(3, true, "*"));
        assertThatThrownBy(() -> policy("entities: {PASSPORT: redact}")).hasMessageContaining("unknown entity type 'PASSPORT'");
        assertThatThrownBy(() -> policy("default: shred")).hasMessageContaining("unknown operator 'shred'")
                .hasMessageContaining("pseudonym");
        assertThatThrownBy(() -> policy("treshold: 0.5")).hasMessageContaining("unknown key 'treshold'");
        assertThatThrownBy(() -> policy("entities: {PERSON: {operator: mask, form: end}}")).hasMessageContaining("unknown key 'form'");
        assertThatThrownBy(() -> policy("threshold: 2")).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> policy("default: [")).hasMessageContaining("not valid YAML");
    }
}
