package dev.hearth.guard.pii;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Labelled synthetic test text in English and Chinese: sentences with personal data of every type
 * in several formats, sentences with look-alikes that are not personal data (order numbers,
 * versions, quantities), and sentences with none. The same seed gives the same records.
 */
public final class SyntheticPii {
    private static final List<SlotTemplate> SLOTS = List.of(
            new SlotTemplate("{PERSON}", EntityType.PERSON, FakeValues::englishName),
            new SlotTemplate("{GIVEN}", EntityType.PERSON, r -> FakeValues.pick(r, FakeValues.EN_GIVEN)),
            new SlotTemplate("{SURNAME}", EntityType.PERSON, r -> FakeValues.pick(r, FakeValues.EN_SURNAMES)),
            new SlotTemplate("{ZH_PERSON}", EntityType.PERSON, FakeValues::chineseName),
            new SlotTemplate("{LOCATION}", EntityType.LOCATION, r -> FakeValues.pick(r, FakeValues.EN_PLACES)),
            new SlotTemplate("{ZH_PLACE}", EntityType.LOCATION, r -> FakeValues.pick(r, FakeValues.ZH_PLACES)),
            new SlotTemplate("{ADDRESS}", EntityType.LOCATION, FakeValues::englishAddress),
            new SlotTemplate("{ZH_ADDRESS}", EntityType.LOCATION, FakeValues::chineseAddress),
            new SlotTemplate("{EMAIL_ADDRESS}", EntityType.EMAIL_ADDRESS, FakeValues::email),
            new SlotTemplate("{PHONE_NUMBER}", EntityType.PHONE_NUMBER, FakeValues::phone),
            new SlotTemplate("{CN_MOBILE}", EntityType.PHONE_NUMBER, r -> "1" + (3 + r.nextInt(7)) + FakeValues.digits(r, 9)),
            new SlotTemplate("{CREDIT_CARD}", EntityType.CREDIT_CARD, FakeValues::creditCard),
            new SlotTemplate("{IBAN_CODE}", EntityType.IBAN_CODE, FakeValues::iban),
            new SlotTemplate("{IP_ADDRESS}", EntityType.IP_ADDRESS, FakeValues::ipAddress),
            new SlotTemplate("{MAC_ADDRESS}", EntityType.MAC_ADDRESS, FakeValues::macAddress),
            new SlotTemplate("{URL}", EntityType.URL, FakeValues::url),
            new SlotTemplate("{US_SSN}", EntityType.US_SSN, FakeValues::ssn),
            new SlotTemplate("{CN_RESIDENT_ID}", EntityType.CN_RESIDENT_ID, FakeValues::residentId),
            new SlotTemplate("{DATE_TIME}", EntityType.DATE_TIME, FakeValues::englishDate),
            new SlotTemplate("{ZH_DATE}", EntityType.DATE_TIME, FakeValues::chineseDate),
            new SlotTemplate("{TIME}", EntityType.DATE_TIME, r -> (8 + r.nextInt(12)) + ":" + (r.nextBoolean() ? "00" : "30")),
            new SlotTemplate("{CRYPTO}", EntityType.CRYPTO, FakeValues::bitcoin));

    private static final List<String> ENGLISH = List.of(
            "Please contact {PERSON} at {EMAIL_ADDRESS} or {PHONE_NUMBER}.",
            "Patient {PERSON}, born {DATE_TIME}, lives at {ADDRESS} in {LOCATION}.",
            "My card number is {CREDIT_CARD} and my SSN is {US_SSN}.",
            "Wire the deposit to IBAN {IBAN_CODE} before {DATE_TIME}.",
            "A login from {IP_ADDRESS} (device {MAC_ADDRESS}) was blocked.",
            "See {URL} for the full profile.",
            "Send the payment to {CRYPTO} today.",
            "{PERSON} moved from {LOCATION} to {LOCATION} last year.",
            "Hi {GIVEN}, thanks for the call on {DATE_TIME}.",
            "Dr. {SURNAME} will see you at {TIME}.",
            "Call me on {PHONE_NUMBER} tomorrow.",
            "The meeting with {PERSON} starts at {TIME} in {LOCATION}.",
            "Customer {PERSON} ({EMAIL_ADDRESS}) disputed the charge on card {CREDIT_CARD}.",
            "Our office is at {ADDRESS}, {LOCATION}; ask for Ms. {SURNAME}.",
            "{PERSON} wrote: my number changed to {PHONE_NUMBER}.",
            "Her social security number, {US_SSN}, was on the form.",
            "Order 48213 shipped in 3 boxes weighing 4.5 kg.",
            "Install version 2.3.1 and restart the service.",
            "We sold 1,250 units in Q3 and revenue grew 12%.",
            "Room 101 is on floor 3 of building B.",
            "The model reached 97.3% accuracy after 20 epochs.",
            "Nothing here is personal: the sky was grey and the tea was cold.");
    private static final List<String> CHINESE = List.of(
            "我叫{ZH_PERSON}，手机号是{CN_MOBILE}。",
            "联系人：{ZH_PERSON}，电话{PHONE_NUMBER}，邮箱{EMAIL_ADDRESS}。",
            "{ZH_PERSON}先生的身份证号码是{CN_RESIDENT_ID}。",
            "收货地址：{ZH_ADDRESS}，收件人{ZH_PERSON}。",
            "{ZH_PERSON}于{ZH_DATE}出生在{ZH_PLACE}。",
            "请把款项转到银行卡{CREDIT_CARD}。",
            "服务器{IP_ADDRESS}在{ZH_DATE}宕机了。",
            "{ZH_PERSON}和{ZH_PERSON}明天去{ZH_PLACE}开会。",
            "客户{ZH_PERSON}的账户{IBAN_CODE}已冻结。",
            "详情请访问{URL}。",
            "今天天气很好，我们去公园散步。",
            "这批货一共有300件，订单号20240315001。",
            "会议室在三楼，请准时参加。",
            "他说这本书很有意思，值得一读。");

    private SyntheticPii() {}

    /** Every template, English then Chinese (for tests that check training text shares none). */
    static List<String> templates() {
        List<String> all = new java.util.ArrayList<>(ENGLISH);
        all.addAll(CHINESE);
        return all;
    }

    /** {@code count} labelled records; {@code chineseShare} of them Chinese, the rest English. */
    public static List<LabeledText> generate(int count, long seed, double chineseShare) {
        if (count < 0 || !(chineseShare >= 0 && chineseShare <= 1)) {
            throw new PiiException("count must be ≥ 0 and the Chinese share within [0, 1]");
        }
        SplittableRandom r = new SplittableRandom(seed);
        List<LabeledText> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            List<String> templates = r.nextDouble() < chineseShare ? CHINESE : ENGLISH;
            out.add(fill("syn-" + i, FakeValues.pick(r, templates), r));
        }
        return out;
    }

    private static LabeledText fill(String id, String template, RandomGenerator r) {
        return SlotTemplate.fill(id, template, SLOTS, r);
    }
}
