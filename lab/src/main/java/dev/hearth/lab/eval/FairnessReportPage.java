package dev.hearth.lab.eval;

import dev.hearth.guard.fairness.FairnessReport;
import dev.hearth.guard.fairness.GroupMetrics;
import dev.hearth.lab.plot.Html;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A fairness report as one self-contained HTML page: the disparity metrics with their bootstrap
 * intervals and the four-fifths rule for disparate impact, then for each sensitive feature (and
 * their intersection) a table of the groups and a bar chart (inline SVG) of each group's
 * selection rate, true-positive rate and false-positive rate beside the overall rate, the view
 * Fairlearn's {@code MetricFrame.by_group.plot} gives.
 */
public final class FairnessReportPage {
    private FairnessReportPage() {}

    private record Rate(String name, String color, ToDoubleFunction<GroupMetrics> of) {}

    private static final List<Rate> RATES = List.of(
            new Rate("selection rate", "#4e79a7", GroupMetrics::selectionRate),
            new Rate("true positive rate", "#59a14f", GroupMetrics::truePositiveRate),
            new Rate("false positive rate", "#e15759", GroupMetrics::falsePositiveRate));

    /**
     * @param source   what was scored (the input file), for the title
     * @param positive the positive class
     */
    public static String html(FairnessReport r, String source, String positive) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Fairness: ")
                .append(esc(source)).append("</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;"
                        + "max-width:72em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
                        + "padding:.3em .6em;text-align:right}th:first-child,td:first-child{text-align:left}"
                        + ".bad{color:#b00;font-weight:600}.legend span{display:inline-block;width:1em;height:1em;"
                        + "margin:0 .3em 0 1em;vertical-align:middle}</style></head><body>\n");
        h.append("<h1>Fairness report</h1>\n<p>").append(esc(source)).append(": ")
                .append(String.format(Locale.ROOT, "%,d", r.rows())).append(" rows, positive class <code>")
                .append(esc(positive)).append("</code>; overall accuracy ").append(f(r.overall().accuracy()))
                .append(", selection rate ").append(f(r.overall().selectionRate())).append(".</p>\n");

        h.append("<h2>Disparities between groups</h2>\n<table><tr><th>metric</th><th>value</th>");
        boolean intervals = !r.intervals().isEmpty();
        if (intervals) {
            h.append("<th>").append(pct(r.bootstrap().level())).append(" interval</th>");
        }
        h.append("</tr>\n");
        for (var e : r.metrics().asMap().entrySet()) {
            boolean bad = e.getKey().equals("disparate_impact") && e.getValue() < 0.8;
            h.append("<tr><td>").append(esc(e.getKey().replace('_', ' '))).append("</td><td")
                    .append(bad ? " class=\"bad\"" : "").append(">").append(f(e.getValue())).append("</td>");
            if (intervals) {
                double[] iv = r.intervals().get(e.getKey());
                h.append("<td>").append(iv == null ? "" : "[" + f(iv[0]) + ", " + f(iv[1]) + "]").append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n<p>Differences are the largest minus the smallest group rate (0 is parity); ratios the "
                + "smallest over the largest (1 is parity). A disparate impact below 0.8 fails the four-fifths rule"
                + " and is shown in red.");
        if (intervals) {
            h.append(" Intervals: percentile bootstrap, ").append(r.bootstrap().samples())
                    .append(" resamples of the rows, seed ").append(r.bootstrap().seed()).append('.');
        }
        h.append("</p>\n");
        if (!r.byFeature().isEmpty()) {
            h.append("<h3>Within each feature</h3>\n<table><tr><th>feature</th>");
            r.metrics().asMap().keySet().forEach(k -> h.append("<th>").append(esc(k.replace('_', ' '))).append("</th>"));
            h.append("</tr>\n");
            r.byFeature().forEach((feature, m) -> {
                h.append("<tr><td>").append(esc(feature)).append("</td>");
                m.asMap().values().forEach(v -> h.append("<td>").append(f(v)).append("</td>"));
                h.append("</tr>\n");
            });
            h.append("</table>\n");
        }

        r.groups().forEach((feature, groups) -> {
            h.append("<h2>").append(esc(feature)).append("</h2>\n<table><tr><th>group</th><th>count</th>"
                    + "<th>selection rate</th><th>accuracy</th><th>TPR</th><th>FPR</th><th>FNR</th></tr>\n");
            groups.forEach((name, g) -> h.append("<tr><td>").append(esc(name)).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", (long) g.count())).append("</td><td>")
                    .append(f(g.selectionRate())).append("</td><td>").append(f(g.accuracy())).append("</td><td>")
                    .append(f(g.truePositiveRate())).append("</td><td>").append(f(g.falsePositiveRate()))
                    .append("</td><td>").append(f(g.falseNegativeRate())).append("</td></tr>\n"));
            h.append("</table>\n").append(bars(groups, r.overall())).append('\n');
        });
        h.append("<p class=\"legend\">");
        RATES.forEach(rate -> h.append("<span style=\"background:").append(rate.color()).append("\"></span>")
                .append(rate.name()));
        h.append("; dashed lines: the same rates over all rows.</p>\n</body></html>\n");
        return h.toString();
    }

    /** Grouped horizontal bars: for each group its three rates, on a 0-1 axis, with the overall rates dashed. */
    static String bars(Map<String, GroupMetrics> groups, GroupMetrics overall) {
        int label = 220;
        int width = 420;
        int bar = 9;
        int groupHeight = RATES.size() * bar + 10;
        int height = groups.size() * groupHeight + 30;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(label + width + 20).append("\" height=\"")
                .append(height).append("\" font-size=\"12\">");
        for (int t = 0; t <= 4; t++) {
            int x = label + t * width / 4;
            s.append("<line x1=\"").append(x).append("\" y1=\"0\" x2=\"").append(x).append("\" y2=\"")
                    .append(height - 20).append("\" stroke=\"#ddd\"/><text x=\"").append(x).append("\" y=\"")
                    .append(height - 6).append("\" text-anchor=\"middle\">").append(t / 4.0).append("</text>");
        }
        int y = 4;
        for (var e : groups.entrySet()) {
            s.append("<text x=\"").append(label - 6).append("\" y=\"").append(y + groupHeight / 2)
                    .append("\" text-anchor=\"end\">").append(esc(e.getKey())).append("</text>");
            for (int k = 0; k < RATES.size(); k++) {
                double v = RATES.get(k).of().applyAsDouble(e.getValue());
                int w = Double.isNaN(v) ? 0 : (int) Math.round(v * width);
                s.append("<rect x=\"").append(label).append("\" y=\"").append(y + k * bar).append("\" width=\"")
                        .append(w).append("\" height=\"").append(bar - 1).append("\" fill=\"")
                        .append(RATES.get(k).color()).append("\"><title>").append(esc(e.getKey())).append(": ")
                        .append(RATES.get(k).name()).append(' ').append(f(v)).append("</title></rect>");
            }
            y += groupHeight;
        }
        for (Rate rate : RATES) {
            double v = rate.of().applyAsDouble(overall);
            if (!Double.isNaN(v)) {
                int x = label + (int) Math.round(v * width);
                s.append("<line x1=\"").append(x).append("\" y1=\"0\" x2=\"").append(x).append("\" y2=\"")
                        .append(height - 20).append("\" stroke=\"").append(rate.color())
                        .append("\" stroke-dasharray=\"4 3\"/>");
            }
        }
        return s.append("</svg>").toString();
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String pct(double level) {
        return new java.text.DecimalFormat("0.#").format(level * 100) + "%";
    }

    private static String esc(String s) {
        return Html.escape(s);
    }
}
