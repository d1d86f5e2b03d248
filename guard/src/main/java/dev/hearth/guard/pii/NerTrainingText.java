package dev.hearth.guard.pii;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * Labelled PERSON/LOCATION training text for the name tagger, built so that scoring the tagger
 * on {@link SyntheticPii} measures generalisation rather than memory:
 * <ul>
 * <li>its sentence templates are its own: none of {@link SyntheticPii}'s templates appears here;</li>
 * <li>its name and place pools are the detector's dictionaries with every name, surname, place,
 *     street and road of the evaluation's pools ({@link FakeValues}) removed; for Chinese given
 *     names, every character that occurs in an evaluation given name or surname is removed too, so the
 *     tagger never sees an evaluation name, surname, given name or place in training;</li>
 * <li>four in ten sentences are joined with a clause without names (or are two such clauses, or
 *     two sentences), so names meet varied words and positions;</li>
 * <li>the other personal data in its sentences (phones, e-mails, dates, card numbers) are
 *     labelled O: the tagger learns only PERSON and LOCATION.</li>
 * </ul>
 * The same seed gives the same records. {@link #heldOut()} lists what was removed.
 */
public final class NerTrainingText {
    /** The pools, built once from the dictionaries minus the evaluation's values. */
    private static final class Pools {
        final List<String> given;
        final List<String> surnames;
        final List<String> places;
        final List<String> streets;
        final List<String> zhSurnames;
        final List<String> zhGiven;
        final List<String> zhPlaces;
        final List<String> zhDistricts = List.of("海淀区", "东城区", "黄浦区", "越秀区", "福田区", "拱墅区", "武侯区", "鼓楼区",
                "江汉区", "雁塔区");
        final List<String> zhRoads = List.of("复兴路", "光明路", "学府路", "新华街", "友谊路", "黄河路", "湖滨路", "青年路", "花园街",
                "滨江大道");
        final Set<String> heldOut = new TreeSet<>();

        Pools() {
            Set<String> evalEnglish = new HashSet<>();
            evalEnglish.addAll(FakeValues.EN_GIVEN);
            evalEnglish.addAll(FakeValues.EN_SURNAMES);
            Set<String> evalPlaces = new HashSet<>(FakeValues.EN_PLACES);
            evalPlaces.addAll(FakeValues.ZH_PLACES);
            for (String s : FakeValues.STREETS) {
                evalEnglish.add(s.substring(0, s.indexOf(' ')));
            }
            Set<Integer> evalGivenChars = new HashSet<>();
            FakeValues.ZH_GIVEN.forEach(g -> g.codePoints().forEach(evalGivenChars::add));
            FakeValues.ZH_SURNAMES.forEach(g -> g.codePoints().forEach(evalGivenChars::add));
            heldOut.addAll(evalEnglish);
            heldOut.addAll(evalPlaces);
            heldOut.addAll(FakeValues.ZH_SURNAMES);
            heldOut.addAll(FakeValues.ZH_GIVEN);
            heldOut.addAll(FakeValues.ZH_ROADS);

            given = minus(Dictionaries.words("en-first-names.txt"), evalEnglish);
            surnames = minus(Dictionaries.words("en-surnames.txt"), evalEnglish);
            List<String> en = new ArrayList<>();
            for (String p : Dictionaries.lines("en-locations.txt")) {
                if (!evalPlaces.contains(p) && !evalPlaces.stream().anyMatch(p::contains)) {
                    en.add(p);
                }
            }
            places = List.copyOf(en);
            List<String> st = new ArrayList<>();
            String[] kinds = {"Road", "Avenue", "Street", "Way", "Crescent", "Close", "Terrace", "Drive"};
            for (int i = 0; i < 40 && i < surnames.size(); i++) {
                st.add(surnames.get(i * 7 % surnames.size()) + " " + kinds[i % kinds.length]);
            }
            streets = List.copyOf(new TreeSet<>(st));
            zhSurnames = minus(Dictionaries.words("zh-surnames.txt"), new HashSet<>(FakeValues.ZH_SURNAMES));
            List<String> chars = new ArrayList<>();
            for (String c : new TreeSet<>(Dictionaries.words("zh-given-chars.txt"))) {
                c.codePoints().filter(cp -> !evalGivenChars.contains(cp)).forEach(cp -> chars.add(Character.toString(cp)));
            }
            zhGiven = List.copyOf(new TreeSet<>(chars));
            List<String> zh = new ArrayList<>();
            for (String p : new TreeSet<>(Dictionaries.words("zh-locations.txt"))) {
                if (evalPlaces.stream().noneMatch(e -> p.contains(e) || e.contains(p))) {
                    zh.add(p);
                }
            }
            zhPlaces = List.copyOf(zh);
        }

        private static List<String> minus(Set<String> all, Set<String> out) {
            TreeSet<String> s = new TreeSet<>(all);
            s.removeAll(out);
            return List.copyOf(s);
        }
    }

    private static volatile Pools pools;

    private static Pools pools() {
        Pools p = pools;
        if (p == null) {
            synchronized (NerTrainingText.class) {
                if (pools == null) {
                    pools = new Pools();
                }
                p = pools;
            }
        }
        return p;
    }

    private static String englishName(RandomGenerator r) {
        Pools p = pools();
        return r.nextInt(5) == 0
                ? FakeValues.pick(r, p.given) + " " + (char) ('A' + r.nextInt(26)) + ". " + FakeValues.pick(r, p.surnames)
                : FakeValues.pick(r, p.given) + " " + FakeValues.pick(r, p.surnames);
    }

    private static String chineseName(RandomGenerator r) {
        Pools p = pools();
        String given = FakeValues.pick(r, p.zhGiven) + (r.nextInt(3) == 0 ? "" : FakeValues.pick(r, p.zhGiven));
        return FakeValues.pick(r, p.zhSurnames) + given;
    }

    private static String email(RandomGenerator r) {
        Pools p = pools();
        return FakeValues.pick(r, p.given).toLowerCase(Locale.ROOT) + "." + FakeValues.pick(r, p.surnames)
                .toLowerCase(Locale.ROOT) + "@" + FakeValues.pick(r, List.of("example.com", "example.org", "example.net"));
    }

    private static final List<SlotTemplate> SLOTS = List.of(
            new SlotTemplate("{PERSON}", EntityType.PERSON, NerTrainingText::englishName),
            new SlotTemplate("{GIVEN}", EntityType.PERSON, r -> FakeValues.pick(r, pools().given)),
            new SlotTemplate("{SURNAME}", EntityType.PERSON, r -> FakeValues.pick(r, pools().surnames)),
            new SlotTemplate("{ZH_PERSON}", EntityType.PERSON, NerTrainingText::chineseName),
            new SlotTemplate("{PLACE}", EntityType.LOCATION, r -> FakeValues.pick(r, pools().places)),
            new SlotTemplate("{ZH_PLACE}", EntityType.LOCATION, r -> FakeValues.pick(r, pools().zhPlaces)),
            new SlotTemplate("{ADDRESS}", EntityType.LOCATION, r -> (1 + r.nextInt(2000)) + " " + FakeValues.pick(r, pools().streets)),
            new SlotTemplate("{ZH_ADDRESS}", EntityType.LOCATION, r -> FakeValues.pick(r, pools().zhPlaces) + "市"
                    + FakeValues.pick(r, pools().zhDistricts) + FakeValues.pick(r, pools().zhRoads) + (1 + r.nextInt(500)) + "号"),
            new SlotTemplate("{EMAIL}", null, NerTrainingText::email),
            new SlotTemplate("{PHONE}", null, FakeValues::phone),
            new SlotTemplate("{DATE}", null, FakeValues::englishDate),
            new SlotTemplate("{ZH_DATE}", null, FakeValues::chineseDate),
            new SlotTemplate("{NUMBER}", null, r -> Integer.toString(1 + r.nextInt(99999))),
            new SlotTemplate("{CARD}", null, FakeValues::creditCard));

    private static final List<String> ENGLISH = List.of(
            "{PERSON} signed the lease for the flat in {PLACE}.",
            "Thanks to {PERSON} for reviewing the draft.",
            "I spoke with {GIVEN} yesterday about the invoice.",
            "Mr. {SURNAME} asked us to reschedule.",
            "Prof. {SURNAME} teaches statistics in {PLACE}.",
            "Mrs. {SURNAME} phoned from {PLACE} on {DATE}.",
            "Our new colleague {PERSON} starts on Monday.",
            "Please forward this to {PERSON} ({EMAIL}).",
            "{GIVEN} and {GIVEN} flew to {PLACE} for the conference.",
            "Deliver the parcel to {ADDRESS}, {PLACE}.",
            "The package for {PERSON} was left at {ADDRESS}.",
            "She grew up in {PLACE} and later studied in {PLACE}.",
            "Ticket 4417 was raised by {PERSON}, reachable on {PHONE}.",
            "According to {SURNAME}, the shipment left {PLACE} late.",
            "Dear {GIVEN}, your order {NUMBER} has shipped.",
            "Regards, {PERSON}",
            "{PERSON} paid with card {CARD} on {DATE}.",
            "The witness, {PERSON}, lived near {ADDRESS}.",
            "Flights from {PLACE} were delayed by the storm.",
            "Ask {GIVEN} in accounts whether the refund went through.",
            "Judge {SURNAME} adjourned the hearing until {DATE}.",
            "Sales in {PLACE} rose after the campaign.",
            "Captain {SURNAME} reported calm seas near {PLACE}.",
            "The form lists {PERSON} as next of kin.",
            "Sent from my phone. {GIVEN}",
            "The Quarterly Report is due on Friday, not Thursday.",
            "Microsoft Excel and Google Sheets both open the file.",
            "Turn left at the Old Mill and park by the Red Gate.",
            "The Board approved the Budget in its March meeting.",
            "We will mark the exam papers in May.",
            "Read Chapter 4 before the Tuesday seminar.",
            "Version 3 of the Python script fixes the crash.",
            "Total due: {NUMBER} units at the standard rate.",
            "Welcome to the Annual General Meeting.");
    private static final List<String> CHINESE = List.of(
            "{ZH_PERSON}已经在{ZH_PLACE}工作三年了。",
            "请{ZH_PERSON}明天上午到办公室来一趟。",
            "经理{ZH_PERSON}昨天出差去了{ZH_PLACE}。",
            "{ZH_PERSON}老师的课安排在周三下午。",
            "快递已送到{ZH_ADDRESS}，签收人{ZH_PERSON}。",
            "我和{ZH_PERSON}是在{ZH_PLACE}认识的。",
            "{ZH_PERSON}女士的电话是{PHONE}。",
            "本次活动由{ZH_PERSON}负责，地点在{ZH_PLACE}。",
            "{ZH_PERSON}同学于{ZH_DATE}毕业。",
            "他家住在{ZH_ADDRESS}。",
            "{ZH_PLACE}的冬天比{ZH_PLACE}冷得多。",
            "患者{ZH_PERSON}，住址{ZH_ADDRESS}。",
            "{ZH_PERSON}说下周回{ZH_PLACE}过年。",
            "感谢{ZH_PERSON}和{ZH_PERSON}的帮助。",
            "订单{NUMBER}已发货，请注意查收。",
            "下午三点在会议室开周会。",
            "这家餐厅的菜很好吃，价格也公道。",
            "明天可能下雨，记得带伞。",
            "本周的销售额比上周增长了百分之十。",
            "新版本修复了登录页面的问题。");

    /** Clauses without names, joined to sentences so that names appear among varied words and positions. */
    private static final List<String> ENGLISH_FILLERS = List.of(
            "As discussed on the call,", "Just a quick reminder:", "For what it is worth,", "In short,",
            "the printer on the second floor is broken again.", "we still need the signed copy.",
            "please keep this between us for now.", "the weather has been awful all week.",
            "Let me know if anything changes.", "Nothing else to report.", "See the attached spreadsheet.",
            "Could you double-check the totals?", "The coffee machine is fixed.", "I will be out until noon.",
            "Install the update before restarting.", "Our Wednesday stand-up moves to Thursday.",
            "The Finance team signed off on it.", "Stock levels look fine.", "Apologies for the late reply.",
            "Happy New Year to everyone!", "The API returned an error twice.", "Use the North entrance.",
            "Best wishes,", "Kind regards,", "PS: bring your badge.", "Chapter Two covers the basics.",
            "Monday works better for me.", "The Red Cross collected donations.", "Amazon shipped the cables.",
            "The Summer Sale ends soon.");
    private static final List<String> CHINESE_FILLERS = List.of(
            "另外，", "顺便说一下，", "总之，", "打印机又坏了。", "请尽快回复。", "附件是最新的报表。", "今天下午开会。",
            "周五之前提交。", "这件事先不要外传。", "天气一直不太好。", "系统升级已完成。", "价格比去年高了一点。",
            "请核对一下金额。", "咖啡机修好了。", "我上午不在办公室。", "新年快乐！", "谢谢大家的配合。", "合同已经签好了。",
            "请从北门进入。", "此致敬礼。", "库存充足。", "接口报错了两次。", "第二章讲基础知识。", "会议改到周四。");

    private NerTrainingText() {}

    /** {@code count} labelled records, {@code chineseShare} of them Chinese; only PERSON and LOCATION are labelled. */
    public static List<LabeledText> generate(int count, long seed, double chineseShare) {
        if (count < 0 || !(chineseShare >= 0 && chineseShare <= 1)) {
            throw new PiiException("count must be ≥ 0 and the Chinese share within [0, 1]");
        }
        SplittableRandom r = new SplittableRandom(seed);
        List<LabeledText> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean chinese = r.nextDouble() < chineseShare;
            List<String> templates = chinese ? CHINESE : ENGLISH;
            List<String> fillers = chinese ? CHINESE_FILLERS : ENGLISH_FILLERS;
            String sep = chinese ? "" : " ";
            String id = "ner-" + i;
            double shape = r.nextDouble();
            LabeledText t;
            if (shape < 0.1) {            // no names at all
                t = join(fill(id, FakeValues.pick(r, fillers), r), fill(id, FakeValues.pick(r, fillers), r), sep);
            } else if (shape < 0.3) {     // a clause before
                t = join(fill(id, FakeValues.pick(r, fillers), r), fill(id, FakeValues.pick(r, templates), r), sep);
            } else if (shape < 0.5) {     // a clause after
                t = join(fill(id, FakeValues.pick(r, templates), r), fill(id, FakeValues.pick(r, fillers), r), sep);
            } else if (shape < 0.6) {     // two sentences
                t = join(fill(id, FakeValues.pick(r, templates), r), fill(id, FakeValues.pick(r, templates), r), sep);
            } else {
                t = fill(id, FakeValues.pick(r, templates), r);
            }
            out.add(t);
        }
        return out;
    }

    /** {@code a}, then {@code sep}, then {@code b}, with b's spans moved along. */
    private static LabeledText join(LabeledText a, LabeledText b, String sep) {
        int shift = a.text().codePointCount(0, a.text().length()) + sep.codePointCount(0, sep.length());
        List<LabeledText.Span> spans = new ArrayList<>(a.entities());
        for (LabeledText.Span s : b.entities()) {
            spans.add(new LabeledText.Span(s.type(), s.start() + shift, s.end() + shift, s.score()));
        }
        return new LabeledText(a.id(), a.text() + sep + b.text(), List.copyOf(spans));
    }

    /** Every name, surname, given name, place, street word and road of the evaluation's pools that training never uses. */
    public static Set<String> heldOut() {
        return java.util.Collections.unmodifiableSet(pools().heldOut);
    }

    /** The templates of training and evaluation, to show they share none. */
    static List<String> templates() {
        List<String> all = new ArrayList<>(ENGLISH);
        all.addAll(CHINESE);
        all.addAll(ENGLISH_FILLERS);
        all.addAll(CHINESE_FILLERS);
        return all;
    }

    /** The characters training's Chinese given names are made of. */
    static List<String> chineseGivenChars() {
        return pools().zhGiven;
    }

    /** The names and places training draws from (for tests that check they miss the evaluation's). */
    static List<String> pooledValues() {
        Pools p = pools();
        List<String> all = new ArrayList<>();
        all.addAll(p.given);
        all.addAll(p.surnames);
        all.addAll(p.places);
        all.addAll(p.streets);
        all.addAll(p.zhSurnames);
        all.addAll(p.zhGiven);
        all.addAll(p.zhPlaces);
        all.addAll(p.zhRoads);
        return all;
    }

    private static LabeledText fill(String id, String template, RandomGenerator r) {
        return SlotTemplate.fill(id, template, SLOTS, r);
    }
}
