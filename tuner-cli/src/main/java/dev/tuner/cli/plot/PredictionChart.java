package dev.tuner.cli.plot;

import dev.tuner.core.io.AtomicFiles;
import dev.tuner.core.learn.Evaluator;
import dev.tuner.core.scenario.Phase;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Predicted against measured tokens/s, log–log: one colour per phase, the y = x line, and the predictions the
 * roofline capped drawn as separate crosses so a reader sees where the model wanted to go above physics.
 */
public final class PredictionChart {
  public static final int WIDTH = 900;
  public static final int HEIGHT = 800;

  public void write(List<Evaluator.Row> rows, String modelId, Path target, boolean overwrite) {
    XYChart chart = chart(rows, modelId);
    AtomicFiles.write(target, overwrite, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
  }

  XYChart chart(List<Evaluator.Row> rows, String modelId) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Predicted vs measured tokens/s (" + modelId + ", " + rows.size() + " rows)")
        .xAxisTitle("measured tokens/s").yAxisTitle("predicted tokens/s").build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(LegendPosition.InsideNW);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(7);
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    Color[] colours = {new Color(0x1f77b4), new Color(0xff7f0e)};
    for (Phase phase : Phase.values()) {
      List<Double> mx = new ArrayList<>();
      List<Double> my = new ArrayList<>();
      List<Double> cx = new ArrayList<>();
      List<Double> cy = new ArrayList<>();
      for (Evaluator.Row r : rows) {
        if (r.example().scenario().phase() != phase) {
          continue;
        }
        double m = r.example().measurement().tokensPerSecond();
        double p = Math.max(r.prediction().tokensPerSecond(), 1e-3);
        min = Math.min(min, Math.min(m, p));
        max = Math.max(max, Math.max(m, p));
        (r.prediction().capped() ? cx : mx).add(m);
        (r.prediction().capped() ? cy : my).add(p);
      }
      if (!mx.isEmpty()) {
        XYSeries s = chart.addSeries(phase.id(), mx, my);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(colours[phase.ordinal()]);
      }
      if (!cx.isEmpty()) {
        XYSeries s = chart.addSeries(phase.id() + " (capped at the roofline)", cx, cy);
        s.setMarker(SeriesMarkers.CROSS);
        s.setMarkerColor(colours[phase.ordinal()].darker());
      }
    }
    if (max > 0) {
      XYSeries diagonal = chart.addSeries("y = x", new double[] {min, max}, new double[] {min, max});
      diagonal.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      diagonal.setMarker(SeriesMarkers.NONE);
      diagonal.setLineColor(Color.GRAY);
    }
    return chart;
  }
}
