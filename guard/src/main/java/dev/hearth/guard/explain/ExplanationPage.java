package dev.hearth.guard.explain;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A self-contained HTML page for an {@link Explanation}: per method, tokens shaded by their
 * attribution (red pushes the target up, blue down), a bar chart of the largest attributions,
 * image overlays, and attention heat maps — no scripts, no outside files.
 */
public final class ExplanationPage {
    private ExplanationPage() {}

    private static final int BARS = 20;

    public static String render(Explanation e) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Explanation: ")
                .append(esc(e.targetName())).append("</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}")
                .append(".tok{padding:2px 1px;border-radius:3px;white-space:pre;font-family:monospace}")
                .append("table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left}")
                .append(".checks td{color:#555}.grid{display:flex;flex-wrap:wrap;gap:1.5em}")
                .append("h2{margin-top:1.6em;border-bottom:1px solid #ddd}</style></head><body>\n");
        h.append("<h1>Why ").append(esc(e.targetName())).append("?</h1>\n<table>")
                .append(row("model", e.model())).append(row("input", e.subject()))
                .append(row("explained output", e.targetName() + " (index " + e.target() + ")"))
                .append(row("probability", String.format(Locale.ROOT, "%.4f", e.probability()))).append("</table>\n");
        h.append("<p>Red: the feature raised the output's score; blue: it lowered it. Shading is relative to the"
                + " largest attribution of each method.</p>\n");
        for (Attribution a : e.attributions()) {
            h.append("<h2>").append(esc(a.method().replace('_', ' '))).append("</h2>\n");
            h.append("<table class=\"checks\">")
                    .append(row("score", fmt(a.score())));
            if (!Double.isNaN(a.referenceScore())) {
                h.append(row("reference score", fmt(a.referenceScore()))).append(row("sum of attributions", fmt(a.total())));
            }
            for (Map.Entry<String, Double> c : a.checks().entrySet()) {
                h.append(row(c.getKey().replace('_', ' '), fmt(c.getValue())));
            }
            h.append("</table>\n");
            if (e.kind().equals("language_model") || e.kind().equals("text_classifier")) {
                h.append("<p>").append(shadedTokens(a)).append("</p>\n");
            }
            if (e.image() != null && e.image().pixelMaps().containsKey(a.method())) {
                h.append("<p><img alt=\"").append(esc(a.method())).append(" overlay\" src=\"data:image/png;base64,")
                        .append(overlay(e.image(), e.image().pixelMaps().get(a.method()))).append("\"></p>\n");
            } else {
                h.append(bars(a, e.inputValues()));
            }
        }
        if (e.attention() != null) {
            h.append("<h2>attention</h2>\n<p>Each map is one layer's attention averaged over its heads: row i is"
                    + " how much position i attends to each earlier position (darker is more).</p>\n<div class=\"grid\">");
            List<String> tokens = e.attributions().isEmpty() ? null : e.attributions().getFirst().features();
            for (int l = 0; l < e.attention().size(); l++) {
                h.append("<figure>").append(attentionMap(e.attention().get(l), tokens))
                        .append("<figcaption>layer ").append(l).append("</figcaption></figure>");
            }
            h.append("</div>\n");
        }
        return h.append("</body></html>\n").toString();
    }

    private static String shadedTokens(Attribution a) {
        double max = maxAbs(a.values());
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < a.values().length; i++) {
            double v = a.values()[i];
            double alpha = max == 0 ? 0 : Math.abs(v) / max * 0.8;
            String rgb = v >= 0 ? "220,40,40" : "40,90,220";
            s.append("<span class=\"tok\" title=\"").append(esc(fmt(v))).append("\" style=\"background:rgba(")
                    .append(rgb).append(',').append(String.format(Locale.ROOT, "%.3f", alpha)).append(")\">")
                    .append(esc(visible(a.features().get(i)))).append("</span>");
        }
        return s.toString();
    }

    private static String bars(Attribution a, List<String> inputValues) {
        int[] order = a.ranking();
        int n = Math.min(BARS, order.length);
        double max = maxAbs(a.values());
        int rowH = 20;
        int labelW = 260;
        int barW = 300;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(labelW + 2 * barW + 90)
                .append("\" height=\"").append(n * rowH + 10).append("\" font-size=\"12\" font-family=\"sans-serif\">");
        int mid = labelW + barW;
        s.append("<line x1=\"").append(mid).append("\" y1=\"0\" x2=\"").append(mid).append("\" y2=\"").append(n * rowH + 10)
                .append("\" stroke=\"#999\"/>");
        for (int r = 0; r < n; r++) {
            int f = order[r];
            double v = a.values()[f];
            int w = max == 0 ? 0 : (int) Math.round(Math.abs(v) / max * barW);
            int y = r * rowH + 5;
            String label = visible(a.features().get(f));
            if (inputValues != null && f < inputValues.size()) {
                label += " = " + inputValues.get(f);
            }
            s.append("<text x=\"").append(labelW - 6).append("\" y=\"").append(y + 13).append("\" text-anchor=\"end\">")
                    .append(esc(label.length() > 40 ? label.substring(0, 39) + "…" : label)).append("</text>");
            s.append("<rect x=\"").append(v >= 0 ? mid : mid - w).append("\" y=\"").append(y).append("\" width=\"").append(w)
                    .append("\" height=\"").append(rowH - 4).append("\" fill=\"").append(v >= 0 ? "#d62828" : "#2a5bd7")
                    .append("\"/>");
            s.append("<text x=\"").append(v >= 0 ? mid + w + 4 : mid + 4).append("\" y=\"").append(y + 13).append("\">")
                    .append(esc(fmt(v))).append("</text>");
        }
        return s.append("</svg>\n").toString();
    }

    /** The image in grey, scaled up, with red (positive) and blue (negative) laid over it. */
    private static String overlay(Explanation.Image img, double[] map) {
        int scale = Math.max(1, 224 / Math.max(img.height(), img.width()));
        BufferedImage out = new BufferedImage(img.width() * scale, img.height() * scale, BufferedImage.TYPE_INT_RGB);
        double max = maxAbs(map);
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int i = y * img.width() + x;
                double grey = 255 * (1 - Math.clamp(img.pixels()[i], 0f, 1f)) * 0.6 + 255 * 0.4;
                double a = max == 0 ? 0 : Math.abs(map[i]) / max;
                double r = grey;
                double g = grey;
                double b = grey;
                if (map[i] > 0) {
                    r = grey + (214 - grey) * a;
                    g = grey + (40 - grey) * a;
                    b = grey + (40 - grey) * a;
                } else if (map[i] < 0) {
                    r = grey + (42 - grey) * a;
                    g = grey + (91 - grey) * a;
                    b = grey + (215 - grey) * a;
                }
                int rgb = ((int) r << 16) | ((int) g << 8) | (int) b;
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        out.setRGB(x * scale + dx, y * scale + dy, rgb);
                    }
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", bytes);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static String attentionMap(float[][][] heads, List<String> tokens) {
        int t = heads[0].length;
        int cell = Math.max(8, Math.min(28, 420 / t));
        int label = tokens == null ? 0 : 80;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(label + t * cell).append("\" height=\"")
                .append(label + t * cell).append("\" font-size=\"10\" font-family=\"monospace\">");
        for (int i = 0; i < t; i++) {
            if (tokens != null && i < tokens.size()) {
                String name = esc(visible(shorten(tokens.get(i))));
                s.append("<text x=\"").append(label - 4).append("\" y=\"").append(label + i * cell + cell * 0.7)
                        .append("\" text-anchor=\"end\">").append(name).append("</text>");
                s.append("<text transform=\"translate(").append(label + i * cell + cell * 0.7).append(',').append(label - 4)
                        .append(") rotate(-90)\">").append(name).append("</text>");
            }
            for (int j = 0; j < t; j++) {
                double mean = 0;
                for (float[][] head : heads) {
                    mean += head[i][j];
                }
                mean /= heads.length;
                int shade = (int) Math.round(255 * (1 - mean));
                s.append("<rect x=\"").append(label + j * cell).append("\" y=\"").append(label + i * cell).append("\" width=\"")
                        .append(cell).append("\" height=\"").append(cell).append("\" fill=\"rgb(").append(shade).append(',')
                        .append(shade).append(",255)\"><title>").append(String.format(Locale.ROOT, "%.3f", mean))
                        .append("</title></rect>");
            }
        }
        return s.append("</svg>").toString();
    }

    private static String shorten(String token) {
        return token.length() > 10 ? token.substring(0, 9) + "…" : token;
    }

    /** Whitespace made visible, so a token that is only a space or a newline can be seen. */
    private static String visible(String token) {
        return token.replace("\n", "⏎").replace("\t", "⇥");
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static String row(String key, String value) {
        return "<tr><th>" + esc(key) + "</th><td>" + esc(value) + "</td></tr>";
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.5g", v);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
