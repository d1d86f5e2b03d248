package dev.hearth.lab.plot;

import dev.hearth.engine.HearthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Training curves as PNG and SVG: loss against step for each named series. */
public final class LossCurve {
    private LossCurve() {}

    /** One line of the plot. */
    public record Series(String name, List<Integer> steps, List<Double> values) {}

    /** Writes {@code <base>.png} and {@code <base>.svg} into {@code dir}, each replaced atomically. */
    public static void write(Path dir, String base, String title, List<Series> series) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title).xAxisTitle("step")
                .yAxisTitle("loss").build();
        var style = chart.getStyler();
        style.setLegendPosition(Styler.LegendPosition.InsideNE);
        style.setChartBackgroundColor(java.awt.Color.WHITE);
        style.setPlotGridHorizontalLinesVisible(true);
        style.setPlotGridVerticalLinesVisible(false);
        style.setMarkerSize(5);
        boolean any = false;
        for (Series s : series) {
            if (s.steps().isEmpty()) {
                continue;
            }
            XYSeries line = chart.addSeries(s.name(), s.steps(), s.values());
            line.setMarker(s.steps().size() > 60 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            any = true;
        }
        if (!any) {
            return;
        }
        try {
            Path png = dir.resolve(base + ".png");
            Path tmpPng = dir.resolve("." + base + ".tmp.png");
            PngFiles.write(chart, tmpPng);
            Files.move(tmpPng, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Path tmpSvg = dir.resolve("." + base + ".tmp.svg");
            VectorGraphicsEncoder.saveVectorGraphic(chart, tmpSvg.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            Files.move(tmpSvg, dir.resolve(base + ".svg"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HearthException("cannot write the loss plot into " + dir + ": " + e.getMessage(), e);
        }
    }
}
