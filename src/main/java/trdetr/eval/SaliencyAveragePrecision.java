package trdetr.eval;

import java.util.Arrays;
import java.util.Comparator;
import trdetr.pyexact.NumpyReductions;

/**
 * The per-annotator highlight AP of the official evaluator ({@code get_ap}, interpolated, not 11-point), on
 * scikit-learn's {@code precision_recall_curve}:
 *
 * <ol>
 *   <li>labels all 0 → 0, all 1 → 1 (no curve);</li>
 *   <li>one operating point per distinct score, from the highest down: TP and FP counts of the clips scoring at least
 *       that much (so the order of tied clips does not matter), precision TP/(TP+FP), recall TP/#positives;</li>
 *   <li>points ordered from the lowest threshold up, then (precision 1, recall 0) appended; recall stored as
 *       float32;</li>
 *   <li>precision replaced by its running maximum from the start; AP = mean (NumPy pairwise) of the precisions at the
 *       indices i where recall[i+1] ≠ recall[i].</li>
 * </ol>
 */
public final class SaliencyAveragePrecision {
    private SaliencyAveragePrecision() {}

    /**
     * @param yTrue  binary labels (0 or 1), one per clip
     * @param yScore predicted scores, same length
     * @throws IllegalArgumentException for no clips or a non-finite score reaching the curve (where scikit-learn and
     *                                  the official assertion fail)
     */
    public static double compute(double[] yTrue, double[] yScore) {
        int n = yTrue.length;
        if (n != yScore.length) throw new IllegalArgumentException("labels and scores differ in length");
        if (n == 0) throw new IllegalArgumentException("no clips to rank (the official get_ap fails on an empty label list)");
        boolean allSame = true;
        for (double y : yTrue) allSame &= y == yTrue[0];
        if (allSame) return yTrue[0] == 0 ? 0 : 1;
        for (double y : yTrue) {
            if (y != 0 && y != 1) throw new IllegalArgumentException("labels must be 0 or 1");
        }
        for (double s : yScore) {
            if (Double.isNaN(s) || Double.isInfinite(s)) throw new IllegalArgumentException("a saliency score is " + s + " (scikit-learn rejects non-finite scores)");
        }
        // Descending score order; ties in any order (only the counts at the end of each run of equal scores matter).
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> yScore[i] + 0.0).reversed());
        double[] tps = new double[n], fps = new double[n];
        int points = 0;
        double cumTrue = 0;
        for (int k = 0; k < n; k++) {
            cumTrue += yTrue[order[k]];
            boolean endOfRun = k == n - 1 || yScore[order[k + 1]] != yScore[order[k]];
            if (endOfRun) {
                tps[points] = cumTrue;
                fps[points] = 1 + k - cumTrue;
                points++;
            }
        }
        double totalPositive = tps[points - 1];
        // Reverse to "lowest threshold first" and append the (1, 0) end point.
        double[] precision = new double[points + 1];
        float[] recall = new float[points + 1];
        for (int i = 0; i < points; i++) {
            int src = points - 1 - i;
            double ps = tps[src] + fps[src];
            precision[i] = ps != 0 ? tps[src] / ps : 0;
            recall[i] = (float) (tps[src] / totalPositive);
        }
        precision[points] = 1;
        recall[points] = 0;
        for (int i = 1; i < precision.length; i++) {
            if (precision[i] < precision[i - 1]) precision[i] = precision[i - 1]; // max(prev, cur) keeps prev on ties
        }
        double[] picked = new double[points];
        int k = 0;
        for (int i = 0; i + 1 < recall.length; i++) {
            if (recall[i + 1] - recall[i] != 0) picked[k++] = precision[i];
        }
        return NumpyReductions.mean(Arrays.copyOf(picked, k));
    }
}
