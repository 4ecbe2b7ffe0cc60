package dev.tuner.cli.plot;

import dev.tuner.core.io.AtomicFiles;
import dev.tuner.serving.ServingRecommender;
import dev.tuner.serving.ServingRecommender.Candidate;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The serving curve of a recommendation: output tokens/s per GPU (y) against tokens/s each user sees (x, 1000 /
 * TPOT), one colour per engine and precision, candidates outside the budget in grey, the chosen one marked. Moving
 * right trades throughput per GPU for interactivity, as InferenceX and AIConfigurator draw it.
 */
public final class ServingChart {
  public static final int WIDTH = 1100;
  public static final int HEIGHT = 700;
  private static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2), new Color(0xbcbd22), new Color(0x17becf)};

  public void write(ServingRecommender.Recommendation r, Path target, boolean overwrite) {
    java.awt.image.BufferedImage image = BitmapEncoder.getBufferedImage(chart(r));
    AtomicFiles.write(target, overwrite, out -> {
      if (!ImageIO.write(image, "png", out)) {
        throw new java.io.IOException("no PNG writer in this JVM");
      }
    });
  }

  XYChart chart(ServingRecommender.Recommendation r) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Serving: " + r.request().model().name() + " on " + r.request().device().name() + ", "
            + r.request().input().description() + " in / " + r.request().output().description() + " out")
        .xAxisTitle("output tokens/s per user (1000 / TPOT ms)").yAxisTitle("output tokens/s per GPU").build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(6);
    Map<String, List<Candidate>> groups = new LinkedHashMap<>();
    List<Candidate> outside = new ArrayList<>();
    for (Candidate c : r.candidates()) {
      if (c.prediction().tokensPerSPerUser().isEmpty() || c.prediction().outputTokensPerSPerGpu() <= 0) {
        continue;
      }
      if (c.meetsBudget()) {
        groups.computeIfAbsent(c.scenario().engine().name() + " " + c.scenario().quant().name(),
            k -> new ArrayList<>()).add(c);
      } else {
        outside.add(c);
      }
    }
    if (!outside.isEmpty()) {
      add(chart, "outside the budget", outside, new Color(0xc8c8c8), SeriesMarkers.CIRCLE);
    }
    int i = 0;
    for (Map.Entry<String, List<Candidate>> g : groups.entrySet()) {
      add(chart, g.getKey(), g.getValue(), PALETTE[i++ % PALETTE.length], SeriesMarkers.CIRCLE);
    }
    r.best().filter(b -> b.prediction().tokensPerSPerUser().isPresent()).ifPresent(b -> {
      XYSeries s = chart.addSeries("chosen: " + b.scenario().engine().name() + " "
              + b.scenario().quant().name() + ", " + b.scenario().layout().devices() + " GPUs tp "
              + b.scenario().layout().tp() + ", concurrency " + b.concurrency(),
          new double[] {b.prediction().tokensPerSPerUser().getAsDouble()},
          new double[] {b.prediction().outputTokensPerSPerGpu()});
      s.setMarker(SeriesMarkers.DIAMOND);
      s.setMarkerColor(Color.BLACK);
    });
    if (outside.isEmpty() && groups.isEmpty()) {
      // XChart cannot draw an empty chart: one invisible point keeps the axes
      XYSeries s = chart.addSeries("no candidate", new double[] {1}, new double[] {1});
      s.setMarker(SeriesMarkers.NONE);
    }
    return chart;
  }

  private static void add(XYChart chart, String name, List<Candidate> cs, Color colour,
      org.knowm.xchart.style.markers.Marker marker) {
    double[] x = cs.stream().mapToDouble(c -> c.prediction().tokensPerSPerUser().getAsDouble()).toArray();
    double[] y = cs.stream().mapToDouble(c -> c.prediction().outputTokensPerSPerGpu()).toArray();
    XYSeries s = chart.addSeries(name, x, y);
    s.setMarker(marker);
    s.setMarkerColor(colour);
  }
}
