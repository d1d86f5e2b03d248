package dev.hearth.lab.tune;

import dev.hearth.lab.plot.Html;
import dev.hearth.engine.HearthException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A study's results in its folder: {@code report.html} (the best trial, the trials table, the
 * parameter importance and the plots), the plots as SVG files ({@code history.svg}: objective
 * against trial with the best-so-far line; {@code importance.svg}; {@code intermediate.svg}: the
 * reported values of each trial by step; {@code slice-<param>.svg}: objective against each
 * parameter), and {@code best.yaml}, the best trial's config, when the objective can write one.
 */
public final class StudyReport {
    private StudyReport() {}

    /** What was written. */
    public record Written(Path html, Path bestConfig, Map<String, Double> importance) {}

    public static Written write(Study study, Objective objective) {
        System.setProperty("java.awt.headless", "true");
        Path dir = study.dir();
        List<Trial> trials = study.trials();
        History h = new History(trials, study.spec().maximize());
        Map<String, Double> importance = ParameterImportance.of(study.space(), h, study.spec().seed());
        List<String> plots = new ArrayList<>();
        if (history(dir, trials, h)) {
            plots.add("history.svg");
        }
        if (!importance.isEmpty()) {
            CategoryChart c = new CategoryChartBuilder().width(800).height(400)
                    .title("parameter importance (random-forest permutation)").xAxisTitle("parameter")
                    .yAxisTitle("share of importance").build();
            style(c.getStyler());
            c.getStyler().setLegendVisible(false);
            c.addSeries("importance", new ArrayList<>(importance.keySet()), new ArrayList<>(importance.values()));
            svg(c, dir, "importance.svg");
            plots.add("importance.svg");
        }
        if (intermediate(dir, trials)) {
            plots.add("intermediate.svg");
        }
        for (Param p : study.space().params()) {
            if (slice(dir, p, h)) {
                plots.add(sliceName(p));
            }
        }
        Path best = null;
        Trial top = study.best().orElse(null);
        if (top != null) {
            String yaml = objective.configFor(top.params());
            if (yaml != null) {
                best = dir.resolve("best.yaml");
                atomic(best, yaml);
            }
        }
        Path html = dir.resolve("report.html");
        atomic(html, html(study, trials, top, importance, plots));
        return new Written(html, best, importance);
    }

    private static boolean history(Path dir, List<Trial> trials, History h) {
        List<Integer> cx = new ArrayList<>();
        List<Double> cy = new ArrayList<>();
        List<Integer> px = new ArrayList<>();
        List<Double> py = new ArrayList<>();
        List<Integer> bx = new ArrayList<>();
        List<Double> by = new ArrayList<>();
        double best = Double.NaN;
        for (Trial t : trials) {
            if (t.state() == TrialState.COMPLETE) {
                cx.add(t.number());
                cy.add(t.value());
                if (Double.isNaN(best) || h.loss(t.value()) < h.loss(best)) {
                    best = t.value();
                }
            } else if (t.state() == TrialState.PRUNED && t.value() != null) {
                px.add(t.number());
                py.add(t.value());
            }
            if (!Double.isNaN(best)) {
                bx.add(t.number());
                by.add(best);
            }
        }
        if (cx.isEmpty() && px.isEmpty()) {
            return false;
        }
        XYChart c = new XYChartBuilder().width(900).height(480).title("objective by trial").xAxisTitle("trial")
                .yAxisTitle("objective").build();
        style(c.getStyler());
        if (!cx.isEmpty()) {
            XYSeries s = c.addSeries("complete", cx, cy);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        if (!px.isEmpty()) {
            XYSeries s = c.addSeries("pruned (last value)", px, py);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        if (!bx.isEmpty()) {
            XYSeries s = c.addSeries("best so far", bx, by);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
            s.setMarker(SeriesMarkers.NONE);
        }
        svg(c, dir, "history.svg");
        return true;
    }

    private static boolean intermediate(Path dir, List<Trial> trials) {
        XYChart c = new XYChartBuilder().width(900).height(480).title("reported values by step").xAxisTitle("step")
                .yAxisTitle("intermediate value").build();
        style(c.getStyler());
        c.getStyler().setLegendVisible(trials.size() <= 20);
        boolean any = false;
        for (Trial t : trials) {
            if (t.intermediate().isEmpty()) {
                continue;
            }
            XYSeries s = c.addSeries("trial " + t.number() + " (" + t.state().name().toLowerCase() + ")",
                    new ArrayList<>(t.intermediate().keySet()), new ArrayList<>(t.intermediate().values()));
            s.setMarker(SeriesMarkers.CIRCLE);
            any = true;
        }
        if (any) {
            svg(c, dir, "intermediate.svg");
        }
        return any;
    }

    private static String sliceName(Param p) {
        return "slice-" + p.name().replaceAll("[^A-Za-z0-9_.-]", "_") + ".svg";
    }

    private static boolean slice(Path dir, Param p, History h) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (Trial t : h.complete()) {
            Object v = t.params().get(p.name());
            if (v != null) {
                xs.add(p instanceof Param.CategoricalParam ? p.toInternal(v) : ((Number) v).doubleValue());
                ys.add(t.value());
            }
        }
        if (xs.isEmpty()) {
            return false;
        }
        String axis = p instanceof Param.CategoricalParam c ? p.name() + " (choice index: " + c.choices() + ")"
                : p.name();
        XYChart c = new XYChartBuilder().width(600).height(400).title("objective against " + p.name())
                .xAxisTitle(axis).yAxisTitle("objective").build();
        style(c.getStyler());
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisLogarithmic(p instanceof Param.FloatParam f && f.log() || p instanceof Param.IntParam i && i.log());
        XYSeries s = c.addSeries("complete trials", xs, ys);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        svg(c, dir, sliceName(p));
        return true;
    }

    private static void style(Styler s) {
        s.setChartBackgroundColor(java.awt.Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setMarkerSize(6);
    }

    private static void svg(Chart<?, ?> chart, Path dir, String name) {
        Path tmp = dir.resolve("." + name + ".tmp");
        try {
            try (var out = Files.newOutputStream(tmp)) {
                VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            }
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HearthException("cannot write the plot " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    private static void atomic(Path file, String text) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HearthException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String html(Study study, List<Trial> trials, Trial best, Map<String, Double> importance,
                               List<String> plots) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>study ").append(esc(study.id()))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#eee}"
                        + "td.s{text-align:left}img{max-width:100%}</style></head><body>\n");
        StudySpec s = study.spec();
        b.append("<h1>Study ").append(esc(study.id())).append("</h1>\n<p>").append(esc(s.direction()))
                .append(" · sampler ").append(esc(s.sampler().toString())).append(" · pruner ")
                .append(esc(s.pruner().toString())).append(" · seed ").append(s.seed()).append(" · ")
                .append(count(trials, TrialState.COMPLETE)).append(" complete, ").append(count(trials, TrialState.PRUNED))
                .append(" pruned, ").append(count(trials, TrialState.FAIL)).append(" failed</p>\n");
        if (best != null) {
            b.append("<h2>Best: trial ").append(best.number()).append(", value ").append(fmt(best.value()))
                    .append("</h2>\n<p>").append(esc(best.params().toString())).append("</p>\n");
        }
        if (!importance.isEmpty()) {
            b.append("<h2>Parameter importance</h2>\n<p>Random-forest permutation importance (")
                    .append(ParameterImportance.TREES).append(" trees, out-of-bag error growth when a parameter is"
                            + " shuffled, shares summing to 1).</p>\n<table><tr><th>parameter</th><th>share</th></tr>\n");
            importance.forEach((k, v) -> b.append("<tr><td class=s>").append(esc(k)).append("</td><td>")
                    .append(String.format("%.3f", v)).append("</td></tr>\n"));
            b.append("</table>\n");
        } else {
            b.append("<p>Parameter importance needs at least ").append(ParameterImportance.MIN_TRIALS)
                    .append(" complete trials.</p>\n");
        }
        b.append("<h2>Plots</h2>\n");
        for (String p : plots) {
            b.append("<p><img src=\"").append(p).append("\" alt=\"").append(p).append("\"></p>\n");
        }
        b.append("<h2>Trials</h2>\n<table><tr><th>#</th><th>state</th><th>value</th><th>steps</th>");
        for (Param p : study.space().params()) {
            b.append("<th>").append(esc(p.name())).append("</th>");
        }
        b.append("<th>seconds</th><th>run</th><th>error</th></tr>\n");
        for (Trial t : trials) {
            b.append("<tr><td>").append(t.number()).append("</td><td class=s>")
                    .append(t.state() == TrialState.FAIL ? "failed" : t.state().name().toLowerCase())
                    .append("</td><td>").append(t.value() == null ? "" : fmt(t.value())).append("</td><td>")
                    .append(t.lastStep() < 0 ? "" : t.lastStep()).append("</td>");
            for (Param p : study.space().params()) {
                b.append("<td>").append(esc(String.valueOf(t.params().get(p.name())))).append("</td>");
            }
            b.append("<td>").append(t.seconds() == null ? "" : String.format("%.1f", t.seconds())).append("</td><td class=s>")
                    .append(t.runId() == null ? "" : esc(t.runId())).append("</td><td class=s>")
                    .append(t.error() == null ? "" : esc(t.error())).append("</td></tr>\n");
        }
        b.append("</table>\n</body></html>\n");
        return b.toString();
    }

    private static long count(List<Trial> trials, TrialState s) {
        return trials.stream().filter(t -> t.state() == s).count();
    }

    static String fmt(double v) {
        return String.format("%.5g", v);
    }

    private static String esc(String s) {
        return Html.escape(s);
    }
}
