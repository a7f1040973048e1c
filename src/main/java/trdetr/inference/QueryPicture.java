package trdetr.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import trdetr.data.Annotation;
import trdetr.eval.SubmissionLine;
import trdetr.io.DurableFiles;

/**
 * A self-contained HTML page (inline SVG, no scripts, no external files) for one query: the saliency curve over the
 * video, the predicted windows as bars shaded by score with their scores written on them, and the ground-truth windows.
 */
public final class QueryPicture {
    private static final int WIDTH = 900, CURVE = 160, ROW = 18;

    private QueryPicture() {}

    public static String html(SubmissionLine line, Annotation truth, double clipLength, int topWindows) {
        // A line may lack windows (TVSum) or saliency (Charades-STA); what it lacks is drawn empty.
        double[] sal = line.saliency() != null ? line.saliency() : new double[0];
        List<double[]> all = line.windows() != null ? line.windows() : List.of();
        double duration = truth == null ? sal.length * clipLength
                : truth.label() != null ? truth.duration() * clipLength // TVSum's duration counts clips
                : truth.duration();
        List<double[]> windows = all.subList(0, Math.min(topWindows, all.size()));
        int gtCount = truth == null || truth.relevantWindows() == null ? 0 : truth.relevantWindows().length;
        int height = CURVE + 40 + ROW * (windows.size() + gtCount + 2) + 30;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='11'>", WIDTH + 80, height));
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : sal) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (!(hi > lo)) { hi = lo + 1; }
        svg.append("<text x='60' y='14'>saliency (predicted)</text>");
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < sal.length; i++) {
            double x = 60 + (i + 0.5) * clipLength / duration * WIDTH;
            double y = 20 + CURVE - (sal[i] - lo) / (hi - lo) * CURVE;
            path.append(i == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
        }
        svg.append("<rect x='60' y='20' width='").append(WIDTH).append("' height='").append(CURVE).append("' fill='#f7f7f7' stroke='#ccc'/>");
        svg.append("<path d='").append(path).append("' fill='none' stroke='#1f77b4' stroke-width='2'/>");
        int y = CURVE + 40;
        svg.append(String.format(Locale.ROOT, "<text x='60' y='%d'>predicted windows (top %d, by score)</text>", y, windows.size()));
        y += 6;
        for (double[] w : windows) {
            y += ROW;
            double x0 = 60 + w[0] / duration * WIDTH, x1 = 60 + w[1] / duration * WIDTH;
            svg.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='#ff7f0e' fill-opacity='%.2f'/>",
                    x0, y - 12, Math.max(1, x1 - x0), ROW - 4, 0.25 + 0.75 * Math.max(0, Math.min(1, w[2]))));
            svg.append(String.format(Locale.ROOT, "<text x='8' y='%d'>%.4f</text><text x='%.1f' y='%d'>%s–%s s</text>",
                    y, w[2], Math.min(x1 + 4, WIDTH + 10), y, trim(w[0]), trim(w[1])));
        }
        y += ROW + 6;
        svg.append(String.format(Locale.ROOT, "<text x='60' y='%d'>ground truth</text>", y));
        for (int g = 0; g < gtCount; g++) {
            y += ROW;
            double[] w = truth.relevantWindows()[g];
            double x0 = 60 + w[0] / duration * WIDTH, x1 = 60 + w[1] / duration * WIDTH;
            svg.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='#2ca02c'/><text x='%.1f' y='%d'>%s–%s s</text>",
                    x0, y - 12, Math.max(1, x1 - x0), ROW - 4, Math.min(x1 + 4, WIDTH + 10), y, trim(w[0]), trim(w[1])));
        }
        y += ROW + 10;
        svg.append(String.format(Locale.ROOT, "<line x1='60' y1='%d' x2='%d' y2='%d' stroke='#333'/><text x='60' y='%d'>0 s</text><text x='%d' y='%d' text-anchor='end'>%s s</text>",
                y, 60 + WIDTH, y, y + 14, 60 + WIDTH, y + 14, trim(duration)));
        svg.append("</svg>");
        String title = escape("qid " + line.qid() + ": " + line.query());
        return "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + title + "</title></head><body style='font-family:sans-serif'>"
                + "<h3>" + title + "</h3><p>video " + escape(line.vid()) + "</p>" + svg + "</body></html>\n";
    }

    public static void write(Path file, String html) throws IOException {
        DurableFiles.writeString(file, html);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
