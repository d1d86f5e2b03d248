package dev.hearth.guard.pii;

import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Realistic values of each type that pass the same checks real ones do (Luhn, mod-97, GB 11643,
 * Base58Check, bech32, valid SSN ranges). They feed the synthetic test-text generator and the
 * {@code fake} anonymization operator. The name lists here are deliberately not the detector's
 * dictionaries: a third of them are names the detector does not know, so that tests measure
 * recall honestly rather than the dictionary against itself.
 */
public final class FakeValues {
    private FakeValues() {}

    static final List<String> EN_GIVEN = List.of("James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David",
            "Emily", "Daniel", "Laura", "Thomas", "Hannah", "Oliver", "Chloe", "Ethan", "Priya", "Carlos", "Sofia",
            "Thaddeus", "Imelda", "Oluwaseun", "Siobhan", "Bartholomew", "Ottilie", "Kwame", "Aurelio", "Henrietta",
            "Ezekiel", "Marisol", "Leopold", "Ngozi", "Cornelius");
    static final List<String> EN_SURNAMES = List.of("Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Lewis",
            "Walker", "Hall", "Young", "Patel", "Nguyen", "Murphy", "Kelly", "Fischer", "Rossi", "Okafor", "Lindqvist",
            "Abernathy", "Castellanos", "Featherstone", "Mbeki", "Vanterpool", "Whitcombe");
    static final List<String> ZH_SURNAMES = List.of("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
            "马", "朱", "胡", "郭", "何", "林", "罗", "高", "欧阳", "司马", "诸葛", "邝", "芮", "蔺");
    static final List<String> ZH_GIVEN = List.of("伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "杰", "小明", "晓燕",
            "子轩", "欣怡", "建国", "志强", "雨涵", "浩然", "梓萱", "一诺", "沐辰", "昱彤", "钧泽", "婉清");
    static final List<String> EN_PLACES = List.of("London", "Manchester", "New York", "San Francisco", "Chicago",
            "Toronto", "Sydney", "Berlin", "Paris", "Madrid", "Dublin", "Boston", "Seattle", "Texas", "California",
            "Germany", "Canada", "Kenya", "Shrewsbury", "Tallahassee", "Reykjavik", "Ouagadougou");
    static final List<String> ZH_PLACES = List.of("北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安",
            "重庆", "苏州", "厦门", "青岛", "大连", "广东省", "浙江省", "四川省", "江苏省", "绍兴", "遵义", "黔东南", "喀什");
    static final List<String> STREETS = List.of("Baker Street", "Main Street", "Oak Avenue", "Elm Road", "Park Lane",
            "Maple Drive", "High Street", "Sunset Boulevard", "Church Road", "Mill Lane");
    static final List<String> ZH_ROADS = List.of("建国路", "中山路", "人民路", "解放路", "长安街", "南京路", "和平路", "文化路");
    static final List<String> DOMAINS = List.of("example.com", "example.org", "mail.example.net", "corp.example.cn",
            "test.example.co.uk");

    static <T> T pick(RandomGenerator r, List<T> l) {
        return l.get(r.nextInt(l.size()));
    }

    static String digits(RandomGenerator r, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('0' + r.nextInt(10)));
        }
        return sb.toString();
    }

    public static String englishName(RandomGenerator r) {
        return pick(r, EN_GIVEN) + " " + pick(r, EN_SURNAMES);
    }

    public static String chineseName(RandomGenerator r) {
        return pick(r, ZH_SURNAMES) + pick(r, ZH_GIVEN);
    }

    public static String email(RandomGenerator r) {
        String user = pick(r, EN_GIVEN).toLowerCase(Locale.ROOT) + (r.nextBoolean() ? "." + pick(r, EN_SURNAMES).toLowerCase(Locale.ROOT) : "")
                + (r.nextInt(3) == 0 ? Integer.toString(r.nextInt(100)) : "");
        return user + "@" + pick(r, DOMAINS);
    }

    public static String phone(RandomGenerator r) {
        return switch (r.nextInt(6)) {
            case 0 -> "+1 (" + (200 + r.nextInt(800)) + ") " + (200 + r.nextInt(800)) + "-" + digits(r, 4);
            case 1 -> (200 + r.nextInt(800)) + "-" + (200 + r.nextInt(800)) + "-" + digits(r, 4);
            case 2 -> "+44 20 " + digits(r, 4) + " " + digits(r, 4);
            case 3 -> "1" + (3 + r.nextInt(7)) + digits(r, 9);
            case 4 -> "+86 1" + (3 + r.nextInt(7)) + digits(r, 1) + " " + digits(r, 4) + " " + digits(r, 4);
            default -> "0" + (10 + r.nextInt(90)) + "-" + digits(r, 8);
        };
    }

    public static String creditCard(RandomGenerator r) {
        String prefix = switch (r.nextInt(3)) {
            case 0 -> "4" + digits(r, 5);
            case 1 -> (51 + r.nextInt(5)) + digits(r, 4);
            default -> "62" + digits(r, 4);
        };
        String payload = prefix + digits(r, 15 - prefix.length());
        String number = payload + Checksums.luhnDigit(payload);
        return r.nextBoolean() ? number.replaceAll("(\\d{4})(?=\\d)", "$1 ") : number;
    }

    public static String iban(RandomGenerator r) {
        String country = pick(r, List.of("DE", "GB", "FR", "NL", "ES"));
        String bban = switch (country) {
            case "DE" -> digits(r, 18);
            case "GB" -> "NWBK" + digits(r, 14);
            case "FR" -> digits(r, 23);
            case "NL" -> "ABNA" + digits(r, 10);
            default -> digits(r, 20);
        };
        String iban = country + Checksums.ibanCheckDigits(country, bban) + bban;
        return r.nextBoolean() ? iban.replaceAll("(.{4})(?=.)", "$1 ") : iban;
    }

    public static String ipAddress(RandomGenerator r) {
        if (r.nextInt(4) == 0) {
            return "2001:db8:" + Integer.toHexString(r.nextInt(65536)) + "::" + Integer.toHexString(1 + r.nextInt(65535));
        }
        return (1 + r.nextInt(223)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
    }

    public static String macAddress(RandomGenerator r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(String.format(Locale.ROOT, "%02X", r.nextInt(256)));
        }
        return sb.toString();
    }

    public static String url(RandomGenerator r) {
        return pick(r, List.of("https://", "http://", "https://www.")) + pick(r, DOMAINS) + "/"
                + pick(r, List.of("profile", "u", "users", "account")) + "/" + r.nextInt(100000);
    }

    public static String ssn(RandomGenerator r) {
        int area = 1 + r.nextInt(665);
        return String.format(Locale.ROOT, "%03d-%02d-%04d", area, 1 + r.nextInt(99), 1 + r.nextInt(9999));
    }

    public static String residentId(RandomGenerator r) {
        String region = pick(r, List.of("110105", "310104", "440106", "510107", "330102", "420102"));
        String birth = String.format(Locale.ROOT, "%04d%02d%02d", 1950 + r.nextInt(55), 1 + r.nextInt(12), 1 + r.nextInt(28));
        String first17 = region + birth + digits(r, 3);
        return first17 + Checksums.gb11643(first17);
    }

    public static String englishDate(RandomGenerator r) {
        String[] months = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December"};
        int y = 1960 + r.nextInt(65);
        int m = 1 + r.nextInt(12);
        int d = 1 + r.nextInt(28);
        return switch (r.nextInt(4)) {
            case 0 -> months[m - 1] + " " + d + ", " + y;
            case 1 -> d + " " + months[m - 1] + " " + y;
            case 2 -> String.format(Locale.ROOT, "%04d-%02d-%02d", y, m, d);
            default -> String.format(Locale.ROOT, "%02d/%02d/%04d", m, d, y);
        };
    }

    public static String chineseDate(RandomGenerator r) {
        int y = 1960 + r.nextInt(65);
        return y + "年" + (1 + r.nextInt(12)) + "月" + (1 + r.nextInt(28)) + "日";
    }

    public static String bitcoin(RandomGenerator r) {
        byte[] h = new byte[20];
        r.nextBytes(h);
        return r.nextBoolean() ? Checksums.base58CheckEncode((byte) 0, h) : Checksums.bech32Encode(h);
    }

    public static String englishAddress(RandomGenerator r) {
        return (1 + r.nextInt(999)) + " " + pick(r, STREETS);
    }

    public static String chineseAddress(RandomGenerator r) {
        return pick(r, List.of("北京市朝阳区", "上海市浦东新区", "广州市天河区", "深圳市南山区", "杭州市西湖区"))
                + pick(r, ZH_ROADS) + (1 + r.nextInt(300)) + "号";
    }
}
