package dev.hearth.lab.plot;

import dev.hearth.engine.HearthException;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The plots of a classification report, as PNG files: ROC curves, reliability diagrams, confusion matrices. */
public final class ClassificationPlots {
    private ClassificationPlots() {}

    /** One curve: x and y values and its legend name. */
    public record Curve(String name, double[] x, double[] y) {}

    /** ROC curves (false against true positive rate) with the chance diagonal; written to {@code file}. */
    public static void roc(Path file, String title, List<Curve> curves) {
        XYChart chart = xy(title, "false positive rate", "true positive rate");
        for (Curve c : curves) {
            XYSeries s = chart.addSeries(c.name(), c.x(), c.y());
            s.setMarker(SeriesMarkers.NONE);
        }
        diagonal(chart);
        save(chart, file);
    }

    /**
     * Reliability diagrams: each curve's points are the non-empty bins' mean confidence (x) and accuracy (y);
     * a calibrated model lies on the diagonal.
     */
    public static void reliability(Path file, String title, List<Curve> curves) {
        XYChart chart = xy(title, "mean confidence in bin", "accuracy in bin");
        for (Curve c : curves) {
            if (c.x().length > 0) {
                XYSeries s = chart.addSeries(c.name(), c.x(), c.y());
                s.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        diagonal(chart);
        save(chart, file);
    }

    /** A confusion matrix as a heat map, true class down, predicted class across, counts in the cells. */
    public static void confusion(Path file, String title, List<String> classes, long[][] counts) {
        int k = classes.size();
        HeatMapChart chart = new HeatMapChartBuilder().width(Math.max(420, 90 * k + 260))
                .height(Math.max(380, 70 * k + 200)).title(title).xAxisTitle("predicted").yAxisTitle("true").build();
        var style = chart.getStyler();
        style.setChartBackgroundColor(Color.WHITE);
        style.setShowValue(true);
        style.setLegendVisible(false);
        style.setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                // rows are drawn bottom-up: put the first true class at the top
                cells.add(new Number[] {p, k - 1 - t, counts[t][p]});
            }
        }
        List<String> reversed = new ArrayList<>(classes);
        java.util.Collections.reverse(reversed);
        chart.addSeries("counts", classes, reversed, cells);
        save(chart, file);
    }

    private static XYChart xy(String title, String xTitle, String yTitle) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(640).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
                .build();
        var style = chart.getStyler();
        style.setChartBackgroundColor(Color.WHITE);
        style.setLegendPosition(Styler.LegendPosition.InsideSE);
        style.setXAxisMin(0.0);
        style.setXAxisMax(1.0);
        style.setYAxisMin(0.0);
        style.setYAxisMax(1.0);
        style.setMarkerSize(6);
        return chart;
    }

    private static void diagonal(XYChart chart) {
        XYSeries d = chart.addSeries("ideal", new double[] {0, 1}, new double[] {0, 1});
        d.setMarker(SeriesMarkers.NONE);
        d.setLineColor(Color.GRAY);
        d.setLineStyle(new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
                new float[] {4f, 4f}, 0f));
    }

    private static void save(Chart<?, ?> chart, Path file) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(file.getParent());
            String name = file.getFileName().toString();
            String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
            Path tmp = file.resolveSibling("." + base + ".tmp.png");
            PngFiles.write(chart, tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HearthException("cannot write the plot " + file + ": " + e.getMessage(), e);
        }
    }
}
