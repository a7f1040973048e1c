package trdetr.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * The official greedy temporal NMS ({@code utils/temporal_nms.py}, used when {@code nms_thd != -1}): keep the first
 * {@code maxBeforeNms} windows, stably sort them by descending score, then repeatedly keep the best one and drop
 * every later window whose IoU with it (intersection over hull, 0 for an empty hull) exceeds the threshold, until
 * {@code maxAfterNms} are kept or one is left (which is kept if there is room). A single window is returned as is.
 * Comparisons follow Python's max/min (the first argument wins unless the second is strictly greater/smaller).
 */
public final class TemporalNms {
    private TemporalNms() {}

    public static List<double[]> apply(List<double[]> windows, double threshold, int maxBeforeNms, int maxAfterNms) {
        List<double[]> pool = new ArrayList<>(windows.subList(0, Math.min(Math.max(maxBeforeNms, 0), windows.size())));
        if (pool.size() == 1) return pool;
        pool.sort((a, b) -> Double.compare(b[2] + 0.0, a[2] + 0.0)); // sorted(reverse=True) keeps ties in order
        List<double[]> kept = new ArrayList<>();
        while (pool.size() > 1 && kept.size() < maxAfterNms) {
            double[] best = pool.get(0);
            int i = 1;
            while (i < pool.size()) {
                if (iou(best, pool.get(i)) > threshold) pool.remove(i);
                else i++;
            }
            kept.add(firstThree(pool.remove(0)));
        }
        if (kept.size() < maxAfterNms && !pool.isEmpty()) kept.add(firstThree(pool.remove(0)));
        return kept;
    }

    /** The result rows are rebuilt as [st, ed, score]. */
    private static double[] firstThree(double[] w) {
        return new double[] {w[0], w[1], w[2]};
    }

    /** {@code compute_temporal_iou} with Python's builtin max/min. */
    static double iou(double[] a, double[] b) {
        double inter = pyMax(0, pyMin(a[1], b[1]) - pyMax(a[0], b[0]));
        double union = pyMax(a[1], b[1]) - pyMin(a[0], b[0]);
        if (union == 0) return 0;
        return 1.0 * inter / union;
    }

    private static double pyMax(double a, double b) {
        return b > a ? b : a;
    }

    private static double pyMin(double a, double b) {
        return b < a ? b : a;
    }
}
