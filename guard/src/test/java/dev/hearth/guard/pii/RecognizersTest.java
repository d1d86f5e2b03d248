package dev.hearth.guard.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecognizersTest {
    private final PiiAnalyzer analyzer = PiiAnalyzer.builder().build();

    /** The (type, text) pairs found in {@code text}. */
    private List<String> found(String text) {
        return analyzer.analyze(text).stream().map(f -> f.type() + ":" + text.substring(f.start(), f.end())).toList();
    }

    @Test
    void emailsAndUrls() {
        assertThat(found("Write to ann.lee+work@mail.example.co.uk or see https://example.org/a_(b)?q=1."))
                .containsExactly("EMAIL_ADDRESS:ann.lee+work@mail.example.co.uk", "URL:https://example.org/a_(b)?q=1");
        assertThat(found("no address in a@b, @home or user@localhost")).isEmpty();
        assertThat(found("详情见www.example.cn。")).containsExactly("URL:www.example.cn");
    }

    @Test
    void phoneNumbersInSeveralFormats() {
        assertThat(found("Call +1 (415) 555-0132 or 415.555.0199, UK +44 20 7946 0958, 手机13800138000, 座机010-12345678"))
                .containsExactly("PHONE_NUMBER:+1 (415) 555-0132", "PHONE_NUMBER:415.555.0199",
                        "PHONE_NUMBER:+44 20 7946 0958", "PHONE_NUMBER:13800138000", "PHONE_NUMBER:010-12345678");
    }

    @Test
    void contextWordsRaiseAndLowerScores() {
        assertThat(found("the number 4155550132 today")).isEmpty();
        assertThat(found("phone: 4155550132")).containsExactly("PHONE_NUMBER:4155550132");
        assertThat(found("tel 415-555-0132")).containsExactly("PHONE_NUMBER:415-555-0132");
        assertThat(found("order number 415-555-0132")).isEmpty();
    }

    @Test
    void creditCardsNeedTheLuhnChecksumAndAnIssuer() {
        assertThat(found("Visa 4111 1111 1111 1111, MC 5500-0000-0000-0004, Amex 3782 822463 10005"))
                .containsExactly("CREDIT_CARD:4111 1111 1111 1111", "CREDIT_CARD:5500-0000-0000-0004",
                        "CREDIT_CARD:3782 822463 10005");
        assertThat(found("card 4111 1111 1111 1112")).isEmpty();
        assertThat(found("card 9111 1111 1111 1111 1")).isEmpty();
    }

    @Test
    void ibansNeedTheirCountryLengthAndMod97() {
        assertThat(found("IBAN DE89 3704 0044 0532 0130 00 and GB82WEST12345698765432"))
                .containsExactly("IBAN_CODE:DE89 3704 0044 0532 0130 00", "IBAN_CODE:GB82WEST12345698765432");
        assertThat(found("IBAN DE88 3704 0044 0532 0130 00")).isEmpty();
        assertThat(found("IBAN DE89 3704 0044 0532 0130 0")).isEmpty();
    }

    @Test
    void socialSecurityNumbersRejectInvalidRanges() {
        assertThat(found("SSN 536-22-8172")).containsExactly("US_SSN:536-22-8172");
        assertThat(found("SSN 000-22-8172, 666-22-8172, 912-22-8172, 536-00-8172, 536-22-0000, 078-05-1120")).isEmpty();
        assertThat(found("the id 536228172 today")).isEmpty();
        assertThat(found("social security number 536228172")).containsExactly("US_SSN:536228172");
    }

    @Test
    void chineseResidentIdsNeedTheGb11643CheckDigitAndABirthDate() {
        assertThat(found("身份证号11010519491231002X")).containsExactly("CN_RESIDENT_ID:11010519491231002X");
        assertThat(found("身份证号110105194912310021")).isEmpty();
        assertThat(found("身份证号110105194913310029")).isEmpty(); // month 13
    }

    @Test
    void ipAndMacAddresses() {
        assertThat(found("from 192.168.1.20 and 2001:db8::8a2e:370:7334 and ::1, device 00:1A:2B:3C:4D:5E or 001a.2b3c.4d5e"))
                .containsExactly("IP_ADDRESS:192.168.1.20", "IP_ADDRESS:2001:db8::8a2e:370:7334", "IP_ADDRESS:::1",
                        "MAC_ADDRESS:00:1A:2B:3C:4D:5E", "MAC_ADDRESS:001a.2b3c.4d5e");
        assertThat(found("not 256.1.1.1, not 1.2.3, not 1:2:3:4:5:6:7:8:9")).isEmpty();
        assertThat(found("at 10:30:00")).containsExactly("DATE_TIME:10:30:00");
    }

    @Test
    void bitcoinAddressesNeedTheirChecksums() {
        assertThat(found("BTC 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa and bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"))
                .containsExactly("CRYPTO:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
                        "CRYPTO:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
        assertThat(found("BTC 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb and bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp")).isEmpty();
    }

    @Test
    void datesAndTimes() {
        assertThat(found("born March 5, 2024, met 5 Mar 2024 at 10:30pm, due 2024-03-05T10:30, 2024年3月5日下午3点"))
                .containsExactly("DATE_TIME:March 5, 2024", "DATE_TIME:5 Mar 2024", "DATE_TIME:10:30pm",
                        "DATE_TIME:2024-03-05T10:30", "DATE_TIME:2024年3月5日", "DATE_TIME:下午3点");
        assertThat(found("version 1.2.12 and 2024-13-05 and 31/02/2024")).isEmpty();
    }

    @Test
    void englishNamesAndPlaces() {
        assertThat(found("Dear Mr. O'Brien, Sarah Connor from Manchester lives at 221B Baker Street in New York."))
                .containsExactly("PERSON:O'Brien", "PERSON:Sarah Connor", "LOCATION:Manchester",
                        "LOCATION:221B Baker Street", "LOCATION:New York");
        assertThat(found("The Quick Brown Fox. Will it rain in May?")).isEmpty();
        assertThat(found("Hi, I'm Sarah Connor. Yesterday Dr Lee called.")).containsExactly("PERSON:Sarah Connor",
                "PERSON:Lee");
    }

    @Test
    void chineseNamesNeedATitleOrACue() {
        assertThat(found("我叫王小明，住在北京市朝阳区建国路88号。张伟先生和李娜女士明天来。"))
                .containsExactly("PERSON:王小明", "LOCATION:北京市朝阳区建国路88号", "PERSON:张伟", "PERSON:李娜");
        assertThat(found("黄强和赵娜明天去开会。")).containsExactly("PERSON:黄强", "PERSON:赵娜");
        assertThat(found("提高效率，周末愉快，高明的办法。")).isEmpty();
    }

    @Test
    void everyFindingHasAReason() {
        assertThat(analyzer.analyze("Call John Smith on +44 20 7946 0958")).allSatisfy(f -> assertThat(f.reason()).isNotBlank());
    }
}
