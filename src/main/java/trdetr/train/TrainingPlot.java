package trdetr.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** training.png: the training loss per epoch (left) and the validation metrics per evaluation (right). */
public final class TrainingPlot {
    private TrainingPlot() {}

    /** The validation metrics drawn, those a run's dataset has (QVHighlights all three, Charades-STA MR, TVSum mAP). */
    private static final List<String> METRICS = List.of("MR-full-R1@0.5", "MR-full-mAP", "HL-min-VeryGood-mAP", "mAP");

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
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        javax.imageio.ImageIO.write(both, "png", tmp.toFile());
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
