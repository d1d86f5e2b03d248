package dev.hearth.lab.plot;

/** What the HTML reports (evaluation, fairness, tuning) share. */
public final class Html {
    private Html() {}

    /** Text made safe inside an element or a double-quoted attribute. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
