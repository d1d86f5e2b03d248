package dev.hearth.lab.data;

import dev.hearth.engine.HearthException;
import dev.hearth.engine.tensor.Rng;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A synthetic corpus of customer-support conversations in English and Chinese, drawn from
 * templates with a seed: the demo's training data, needing no download. Each conversation is
 * one document of turns, each turn on its own line and opened by the speaker's tag:
 *
 * <pre>
 * &lt;customer&gt; My order #48213 has not arrived yet.
 * &lt;agent&gt; I'm sorry for the wait. Order #48213 shipped on Monday and should arrive by Thursday.
 * </pre>
 *
 * Chinese conversations use {@code <客户>} and {@code <客服>}. The names, e-mail addresses (on the
 * reserved example.com domain), phone numbers (555-01xx and made-up Chinese mobiles), order numbers,
 * products and dates are invented; no real person's data is in it, but it has the shape of personal
 * data, so that the demo has something to scrub.
 */
public final class SupportConversations {
    private SupportConversations() {}

    public static final String CUSTOMER = "<customer>";
    public static final String AGENT = "<agent>";
    public static final String CUSTOMER_ZH = "<客户>";
    public static final String AGENT_ZH = "<客服>";

    private static final String[] PRODUCTS = {"wireless headphones", "coffee grinder", "running shoes", "desk lamp",
        "phone case", "backpack", "smart watch", "water bottle", "keyboard", "rain jacket"};
    private static final String[] PRODUCTS_ZH = {"无线耳机", "咖啡研磨机", "跑步鞋", "台灯", "手机壳", "双肩包", "智能手表",
        "水杯", "键盘", "雨衣"};
    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    private static final String[] DAYS_ZH = {"周一", "周二", "周三", "周四", "周五", "周六"};
    private static final String[] NAMES = {"Alex", "Sam", "Jordan", "Taylor", "Morgan", "Riley", "Casey", "Jamie"};
    private static final String[] NAMES_ZH = {"小王", "小李", "小张", "小陈", "小刘", "小杨", "小赵", "小黄"};

    /** What the customer wants, one per kind of conversation: the labels of the intent-classification example. */
    public static final List<String> INTENTS = List.of("delivery", "defect", "return", "login", "billing");

    /** One conversation: its language, the customer's intent and a list of (tag, text) turns. */
    public record Conversation(String language, String intent, List<String[]> turns) {
        /** The conversation as text: one "tag text" line per turn. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (String[] t : turns) {
                sb.append(t[0]).append(' ').append(t[1]).append('\n');
            }
            return sb.toString();
        }
    }

    /** {@code count} conversations, alternating English and Chinese, fixed by {@code seed}. */
    public static List<Conversation> generate(int count, long seed) {
        Rng rng = new Rng(seed);
        List<Conversation> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(i % 2 == 0 ? english(rng) : chinese(rng));
        }
        return out;
    }

    /**
     * Writes {@code count} conversations as JSON lines ({"id": ..., "language": ..., "intent": ..., "text": ...})
     * to {@code file}, replacing it.
     */
    public static void writeJsonl(Path file, int count, long seed) {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                int id = 0;
                for (Conversation c : generate(count, seed)) {
                    Map<String, String> record = new java.util.LinkedHashMap<>();
                    record.put("id", "conv-" + (id++));
                    record.put("language", c.language());
                    record.put("intent", c.intent());
                    record.put("text", c.text());
                    w.write(json.writeValueAsString(record));
                    w.write('\n');
                }
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new HearthException("cannot write the demo corpus " + file + ": " + e.getMessage(), e);
        }
    }

    private static String pick(Rng rng, String[] options) {
        return options[rng.nextInt(options.length)];
    }

    private static Conversation english(Rng rng) {
        String order = Integer.toString(10000 + rng.nextInt(90000));
        String product = pick(rng, PRODUCTS);
        String day = pick(rng, DAYS);
        String later = DAYS[Math.min(DAYS.length - 1, indexOf(DAYS, day) + 2)];
        String name = pick(rng, NAMES);
        List<String[]> t = new ArrayList<>();
        int kind = rng.nextInt(5);
        switch (kind) {
            case 0 -> {
                t.add(turn(CUSTOMER, "Hi, my order #" + order + " has not arrived yet. It was due on " + day + "."));
                t.add(turn(AGENT, "I'm sorry for the wait, " + name + ". Order #" + order + " is on its way and should"
                        + " arrive by " + later + "."));
                t.add(turn(CUSTOMER, "Thanks, can I get a tracking number? You can call me on +1 415 555 01"
                        + (10 + rng.nextInt(90)) + "."));
                t.add(turn(AGENT, "Of course. I have sent the tracking link for order #" + order + " to your email."));
            }
            case 1 -> {
                t.add(turn(CUSTOMER, "The " + product + " I bought stopped working after two days."));
                t.add(turn(AGENT, "I'm sorry to hear that. Could you share your order number?"));
                t.add(turn(CUSTOMER, "It is #" + order + "."));
                t.add(turn(AGENT, "Thank you. I have started a replacement for your " + product + ". It will ship on "
                        + day + "."));
            }
            case 2 -> {
                t.add(turn(CUSTOMER, "I want to return my " + product + ". How do I do that?"));
                t.add(turn(AGENT, "You can return it within 30 days. I have emailed you a free return label for order #"
                        + order + "."));
                t.add(turn(CUSTOMER, "When will I get my refund?"));
                t.add(turn(AGENT, "The refund reaches your card 3 to 5 days after we receive the " + product + "."));
            }
            case 3 -> {
                t.add(turn(CUSTOMER, "I can't log in to my account. The password reset email never comes to "
                        + email(rng, name) + "."));
                t.add(turn(AGENT, "Let me help. Please check your spam folder first."));
                t.add(turn(CUSTOMER, "Not there either."));
                t.add(turn(AGENT, "I have sent a new reset link, " + name + ". It is valid for one hour."));
            }
            default -> {
                t.add(turn(CUSTOMER, "I was charged twice for order #" + order + "."));
                t.add(turn(AGENT, "I'm sorry about that. I can see the duplicate charge for your " + product + "."));
                t.add(turn(AGENT, "I have refunded the second payment. It will show on your statement by " + later + "."));
                t.add(turn(CUSTOMER, "Great, thank you!"));
            }
        }
        if (rng.nextInt(2) == 0) {
            t.add(turn(AGENT, "Is there anything else I can help you with?"));
        }
        return new Conversation("en", INTENTS.get(kind), t);
    }

    private static Conversation chinese(Rng rng) {
        String order = Integer.toString(10000 + rng.nextInt(90000));
        String product = pick(rng, PRODUCTS_ZH);
        String day = pick(rng, DAYS_ZH);
        String later = DAYS_ZH[Math.min(DAYS_ZH.length - 1, indexOf(DAYS_ZH, day) + 2)];
        String name = pick(rng, NAMES_ZH);
        List<String[]> t = new ArrayList<>();
        int kind = rng.nextInt(5);
        switch (kind) {
            case 0 -> {
                t.add(turn(CUSTOMER_ZH, "你好，我的订单" + order + "还没到，本来应该" + day + "到的。"));
                t.add(turn(AGENT_ZH, "很抱歉让您久等了，" + name + "。订单" + order + "正在配送中，预计" + later + "送达。"));
                t.add(turn(CUSTOMER_ZH, "谢谢，能给我物流单号吗？我的手机号是1" + (3 + rng.nextInt(7))
                        + (100_000_000 + rng.nextInt(900_000_000)) + "。"));
                t.add(turn(AGENT_ZH, "当然可以，订单" + order + "的物流链接已发送到您的邮箱。"));
            }
            case 1 -> {
                t.add(turn(CUSTOMER_ZH, "我买的" + product + "用了两天就坏了。"));
                t.add(turn(AGENT_ZH, "非常抱歉。请问您的订单号是多少？"));
                t.add(turn(CUSTOMER_ZH, "订单号是" + order + "。"));
                t.add(turn(AGENT_ZH, "谢谢。我已经为您的" + product + "安排换货，" + day + "发出。"));
            }
            case 2 -> {
                t.add(turn(CUSTOMER_ZH, "我想退掉" + product + "，怎么办理？"));
                t.add(turn(AGENT_ZH, "三十天内可以退货。订单" + order + "的免费退货标签已发到您的邮箱。"));
                t.add(turn(CUSTOMER_ZH, "退款什么时候到账？"));
                t.add(turn(AGENT_ZH, "我们收到" + product + "后三到五天内退款到您的卡上。"));
            }
            case 3 -> {
                t.add(turn(CUSTOMER_ZH, "我登录不了账户，重置密码的邮件一直收不到，邮箱是" + email(rng, "user") + "。"));
                t.add(turn(AGENT_ZH, "我来帮您。请先看看垃圾邮件文件夹。"));
                t.add(turn(CUSTOMER_ZH, "那里也没有。"));
                t.add(turn(AGENT_ZH, "我已经重新发送了重置链接，" + name + "，一小时内有效。"));
            }
            default -> {
                t.add(turn(CUSTOMER_ZH, "订单" + order + "被扣了两次款。"));
                t.add(turn(AGENT_ZH, "很抱歉。我看到了您购买" + product + "的重复扣款。"));
                t.add(turn(AGENT_ZH, "第二笔款项已经退回，" + later + "前会显示在您的账单上。"));
                t.add(turn(CUSTOMER_ZH, "太好了，谢谢！"));
            }
        }
        if (rng.nextInt(2) == 0) {
            t.add(turn(AGENT_ZH, "请问还有其他可以帮您的吗？"));
        }
        return new Conversation("zh", INTENTS.get(kind), t);
    }

    /** A made-up address on the reserved example.com domain: the corpus carries personal data to scrub. */
    private static String email(Rng rng, String name) {
        return name.toLowerCase(java.util.Locale.ROOT) + (100 + rng.nextInt(900)) + "@example.com";
    }

    private static String[] turn(String tag, String text) {
        return new String[] {tag, text};
    }

    private static int indexOf(String[] options, String value) {
        for (int i = 0; i < options.length; i++) {
            if (options[i].equals(value)) {
                return i;
            }
        }
        return 0;
    }
}
