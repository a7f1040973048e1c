package trdetr.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import trdetr.io.DurableFiles;

/** training.png: the training loss per epoch (left) and the validation metrics per evaluation (right). */
public final class TrainingPlot {
    private TrainingPlot() {}

    /** The validation metrics drawn, those a run's dataset has (QVHighlights all three, Charades-STA MR, TVSum mAP). */
    private static final List<String> METRICS = List.of("MR-full-R1@0.5", "MR-full-mAP", "HL-min-VeryGood-mAP", "mAP");

    /**
     * Redraws the plot after each epoch, and gives up on it for the rest of the run (one warning) when the JVM cannot
     * draw text: a runtime without the native font libraries (a jlinked or slim image on a server lacking
     * libfreetype/libharfbuzz) throws a LinkageError from AWT. The plot is a convenience; training goes on, and
     * metrics.jsonl holds the same numbers.
     */
    public static final class Writer {
        /** Draws one plot; {@link TrainingPlot#write} except in tests. */
        interface Draw { void draw(Path png, List<Map<String, Object>> log) throws IOException; }

        private final Draw draw;
        private boolean disabled;

        public Writer() { this(TrainingPlot::write); }

        Writer(Draw draw) { this.draw = draw; }

        /** Whether the plot was given up (after a failure to draw text). */
        public boolean disabled() { return disabled; }

        public void update(Path png, List<Map<String, Object>> log) throws IOException {
            if (disabled) return;
            try {
                draw.draw(png, log);
            } catch (LinkageError | java.awt.AWTError e) {
                disabled = true;
                System.out.println("warning: no training.png for this run: this Java cannot draw text (" + e.getMessage()
                        + "); the numbers are in metrics.jsonl");
            }
        }
    }

    public static void write(Path png, List<Map<String, Object>> log) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Double> lossEpochs = new ArrayList<>(), loss = new ArrayList<>();
        Map<String, List<Double>> evalEpochs = new LinkedHashMap<>(), values = new LinkedHashMap<>();
        for (Map<String, Object> r : log) {
            if (!(r.get("epoch") instanceof Number e)) continue;
            if (r.get("loss_overall") instanceof Number l) { lossEpochs.add(e.doubleValue() + 1); loss.add(l.doubleValue()); }
            for (String m : METRICS) {
                if (r.get(m) instanceof Number v) {
                    evalEpochs.computeIfAbsent(m, k -> new ArrayList<>()).add(e.doubleValue() + 1);
                    values.computeIfAbsent(m, k -> new ArrayList<>()).add(v.doubleValue());
                }
            }
        }
        if (loss.isEmpty()) return;
        XYChart lossChart = new XYChartBuilder().width(640).height(420).title("training loss").xAxisTitle("epoch").yAxisTitle("loss").build();
        lossChart.addSeries("loss_overall", lossEpochs, loss).setMarker(SeriesMarkers.NONE);
        XYChart evalChart = new XYChartBuilder().width(640).height(420).title("validation").xAxisTitle("epoch").yAxisTitle("metric").build();
        values.forEach((m, v) -> evalChart.addSeries(m, evalEpochs.get(m), v));
        if (values.isEmpty()) evalChart.addSeries("(no evaluation yet)", List.of(0.0), List.of(0.0));
        java.awt.image.BufferedImage left = BitmapEncoder.getBufferedImage(lossChart), right = BitmapEncoder.getBufferedImage(evalChart);
        java.awt.image.BufferedImage both = new java.awt.image.BufferedImage(left.getWidth() + right.getWidth(), left.getHeight(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = both.createGraphics();
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth(), 0, null);
        g.dispose();
        DurableFiles.write(png, out -> {
            if (!javax.imageio.ImageIO.write(both, "png", out)) throw new IOException("no PNG writer in this JVM");
        });
    }
}
