package trdetr.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** training.png: the training loss per epoch (left) and the validation metrics per evaluation (right). */
public final class TrainingPlot {
    private TrainingPlot() {}

    public static void write(Path png, List<Map<String, Object>> log) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Double> lossEpochs = new ArrayList<>(), loss = new ArrayList<>();
        List<Double> evalEpochs = new ArrayList<>(), r1 = new ArrayList<>(), map = new ArrayList<>(), hl = new ArrayList<>();
        for (Map<String, Object> r : log) {
            if (!(r.get("epoch") instanceof Number e)) continue;
            if (r.get("loss_overall") instanceof Number l) { lossEpochs.add(e.doubleValue() + 1); loss.add(l.doubleValue()); }
            if (r.get("MR-full-R1@0.5") instanceof Number a) {
                evalEpochs.add(e.doubleValue() + 1);
                r1.add(a.doubleValue());
                map.add(((Number) r.getOrDefault("MR-full-mAP", 0)).doubleValue());
                hl.add(((Number) r.getOrDefault("HL-min-VeryGood-mAP", 0)).doubleValue());
            }
        }
        if (loss.isEmpty()) return;
        XYChart lossChart = new XYChartBuilder().width(640).height(420).title("training loss").xAxisTitle("epoch").yAxisTitle("loss").build();
        lossChart.addSeries("loss_overall", lossEpochs, loss).setMarker(SeriesMarkers.NONE);
        XYChart evalChart = new XYChartBuilder().width(640).height(420).title("validation").xAxisTitle("epoch").yAxisTitle("metric").build();
        if (!r1.isEmpty()) {
            evalChart.addSeries("MR-full-R1@0.5", evalEpochs, r1);
            evalChart.addSeries("MR-full-mAP", evalEpochs, map);
            evalChart.addSeries("HL-min-VeryGood-mAP", evalEpochs, hl);
        } else {
            evalChart.addSeries("(no evaluation yet)", List.of(0.0), List.of(0.0));
        }
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
