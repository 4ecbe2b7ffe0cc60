package dev.tuner.cli.plot;

import dev.tuner.core.io.AtomicFiles;
import dev.tuner.core.recommend.Candidate;
import dev.tuner.core.recommend.Recommendation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The roofline chart of a recommendation, log–log: x is arithmetic intensity (FLOPs per byte moved in a decode
 * step), y is attainable arithmetic throughput in TFLOPS. The device's memory roof is {@code bandwidth ×
 * intensity}, its compute roof the peak used (one per distinct peak, e.g. FP16 and FP8), meeting at the ridge point.
 * A candidate sits at its step's intensity and at its predicted tokens/s × FLOPs per token, so its distance below
 * the roof is the predicted efficiency. All candidates of one recommendation share the model and context, hence
 * the FLOPs per token, so the y axis is tokens/s up to that constant, which the title states.
 */
public final class RooflineChart {
  public static final int WIDTH = 1100;
  public static final int HEIGHT = 700;
  private static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

  /** Draws {@code r} and writes it as PNG, atomically; an existing file is replaced only when {@code overwrite}. */
  public void write(Recommendation r, Path target, boolean overwrite) {
    XYChart chart = chart(r);
    java.awt.image.BufferedImage image = BitmapEncoder.getBufferedImage(chart);
    AtomicFiles.write(target, overwrite, out -> {
      if (!ImageIO.write(image, "png", out)) {
        throw new java.io.IOException("no PNG writer in this JVM");
      }
    });
  }

  XYChart chart(Recommendation r) {
    double bandwidth = r.device().memBandwidthGBs();
    List<Candidate> cs = r.ranked();
    TreeSet<Double> peaks = new TreeSet<>();
    double minI = Double.POSITIVE_INFINITY;
    double maxI = 0;
    double minY = Double.POSITIVE_INFINITY;
    for (Candidate c : cs) {
      if (c.peakTflops() > 0) {
        peaks.add(c.peakTflops());
      }
      minI = Math.min(minI, c.arithmeticIntensity());
      maxI = Math.max(maxI, c.arithmeticIntensity());
      minY = Math.min(minY, c.achievedTflops());
    }
    if (peaks.isEmpty()) {
      r.device().fp16Tflops().ifPresent(peaks::add);
    }
    double topRidge = peaks.isEmpty() ? 0 : peaks.last() * 1000 / bandwidth;
    if (cs.isEmpty()) {
      minI = topRidge > 0 ? topRidge / 100 : 1;
      maxI = minI;
      minY = bandwidth * minI / 1000;
    }
    double xLow = Math.min(minI, topRidge > 0 ? topRidge : minI) / 4;
    double xHigh = Math.max(maxI, topRidge) * 4;
    double yLow = Math.min(minY, bandwidth * xLow / 1000) / 2;
    double yHigh = (peaks.isEmpty() ? bandwidth * xHigh / 1000 : peaks.last()) * 2;

    String flopsPerToken = cs.isEmpty() ? "" : String.format(Locale.ROOT, "; 1 token = %.3g GFLOP",
        cs.get(0).flopsPerToken() / 1e9);
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
        .title(String.format(Locale.ROOT, "Roofline: %s on %s (decode, context %d%s)", r.model().name(),
            r.device().name(), r.request().context(), flopsPerToken))
        .xAxisTitle("arithmetic intensity (FLOP/byte per decode step)")
        .yAxisTitle("attainable TFLOPS (candidates: predicted tokens/s × FLOP/token)")
        .build();
    var styler = chart.getStyler();
    styler.setXAxisLogarithmic(true);
    styler.setYAxisLogarithmic(true);
    styler.setXAxisMin(xLow);
    styler.setXAxisMax(xHigh);
    styler.setYAxisMin(yLow);
    styler.setYAxisMax(yHigh);
    styler.setLegendPosition(LegendPosition.InsideSE);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotGridLinesColor(new Color(0xdddddd));
    styler.setMarkerSize(9);
    styler.setAntiAlias(true);

    double memoryEnd = topRidge > 0 ? topRidge : xHigh;
    XYSeries memoryRoof = chart.addSeries(String.format(Locale.ROOT, "memory roof (%s GB/s)", plain(bandwidth)),
        new double[] {xLow, memoryEnd}, new double[] {bandwidth * xLow / 1000, bandwidth * memoryEnd / 1000});
    roofStyle(memoryRoof, Color.BLACK);
    int p = 0;
    for (double peak : peaks) {
      double ridge = peak * 1000 / bandwidth;
      XYSeries computeRoof = chart.addSeries(String.format(Locale.ROOT, "compute roof (%s TFLOPS)", plain(peak)),
          new double[] {ridge, xHigh}, new double[] {peak, peak});
      roofStyle(computeRoof, p++ == peaks.size() - 1 ? Color.DARK_GRAY : Color.GRAY);
      XYSeries ridgePoint = chart.addSeries(String.format(Locale.ROOT, "ridge point (%.3g FLOP/byte)", ridge),
          new double[] {ridge}, new double[] {peak});
      ridgePoint.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
      ridgePoint.setMarker(SeriesMarkers.DIAMOND);
      ridgePoint.setMarkerColor(Color.BLACK);
      chart.addAnnotation(new AnnotationText(String.format(Locale.ROOT, "ridge %.3g", ridge), ridge, peak * 1.35,
          false));
    }
    if (peaks.isEmpty()) {
      chart.addAnnotation(new AnnotationText("compute roof unknown", xHigh / 8, yHigh / 3, false));
    }

    Map<String, List<Candidate>> byQuant = new LinkedHashMap<>();
    for (Candidate c : cs) {
      byQuant.computeIfAbsent(c.quant().name(), k -> new ArrayList<>()).add(c);
    }
    int colour = 0;
    for (var e : byQuant.entrySet()) {
      XYSeries s = chart.addSeries(e.getKey() + " candidates", x(e.getValue()), y(e.getValue()));
      s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setMarkerColor(PALETTE[colour++ % PALETTE.length]);
    }
    if (!r.pareto().isEmpty()) {
      XYSeries front = chart.addSeries("Pareto front (tokens/s vs latency)", x(r.pareto()), y(r.pareto()));
      front.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
      front.setMarker(SeriesMarkers.TRIANGLE_UP);
      front.setMarkerColor(Color.BLACK);
    }
    r.best().ifPresent(best -> chart.addAnnotation(new AnnotationText("best: " + best.label(),
        best.arithmeticIntensity(), best.achievedTflops() / 1.6, false)));
    if (cs.isEmpty()) {
      chart.addAnnotation(new AnnotationText("no configuration qualifies", Math.sqrt(xLow * xHigh),
          Math.sqrt(yLow * yHigh), false));
    }
    return chart;
  }

  private static void roofStyle(XYSeries s, Color colour) {
    s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(colour);
    s.setLineStyle(new BasicStroke(2.5f));
  }

  private static double[] x(List<Candidate> cs) {
    double[] x = new double[cs.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = cs.get(i).arithmeticIntensity();
    }
    return x;
  }

  private static double[] y(List<Candidate> cs) {
    double[] y = new double[cs.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = cs.get(i).achievedTflops();
    }
    return y;
  }

  private static String plain(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
