package trdetr.data;

import java.util.List;
import trdetr.pyexact.StableArgsort;
import trdetr.tensor.Generator;

/**
 * What a model that ignores its inputs scores on a QVHighlights-format split, so that training curves can be read
 * against it. Computed here from the metric definitions of spec §7 (an internal computation, not the official
 * evaluator):
 *
 * <ul>
 *   <li>MR-full-R1@0.5 of a random window: the top-1 prediction drawn uniformly among all windows on the 2-s clip
 *       grid, [2s, 2e] with 0 ≤ s &lt; e ≤ n, n = int(duration/2). The expectation is computed exactly by
 *       enumerating the grid (a hit when some ground-truth window has IoU ≥ 0.5).</li>
 *   <li>HL-min-VeryGood-mAP (and Hit1) of random saliency: i.i.d. uniform scores per clip, averaged over
 *       {@code draws} Monte Carlo draws; ground truth = annotator score ≥ 4 over n clips; AP per (query, annotator)
 *       as the official {@code get_ap} (0 when no clip is positive, 1 when all are).</li>
 * </ul>
 *
 * @param mrFullR1At05        percent
 * @param hlMinVeryGoodMap    percent
 * @param hlMinVeryGoodHit1   percent
 */
public record ChanceLevels(double mrFullR1At05, double hlMinVeryGoodMap, double hlMinVeryGoodHit1) {

    public static ChanceLevels of(List<Annotation> split, long seed, int draws) {
        double r1 = 0;
        for (Annotation a : split) r1 += randomWindowHitRate(a, 0.5);
        r1 /= split.size();

        Generator g = new Generator(seed);
        double map = 0;
        double hit = 0;
        for (int d = 0; d < draws; d++) {
            double apSum = 0;
            double hitSum = 0;
            for (Annotation a : split) {
                int[][] gt = clipScores(a);
                double[] pred = new double[gt.length];
                for (int i = 0; i < pred.length; i++) pred[i] = g.nextDouble();
                for (int w = 0; w < 3; w++) {
                    boolean[] y = new boolean[gt.length];
                    for (int i = 0; i < y.length; i++) y[i] = gt[i][w] >= 4;
                    apSum += averagePrecision(y, pred);
                }
                int top = 0;
                for (int i = 1; i < pred.length; i++) if (pred[i] > pred[top]) top = i;
                int best = 0;
                for (int w = 0; w < 3; w++) best = Math.max(best, gt[top][w] >= 4 ? 1 : 0);
                hitSum += best;
            }
            map += apSum / (3.0 * split.size());
            hit += hitSum / split.size();
        }
        return new ChanceLevels(100 * r1, 100 * map / draws, 100 * hit / draws);
    }

    /** Fraction of the grid windows whose best IoU with a ground-truth window is ≥ thr. */
    static double randomWindowHitRate(Annotation a, double thr) {
        int n = (int) (a.duration() / 2);
        long hits = 0;
        long total = 0;
        for (int s = 0; s < n; s++) {
            for (int e = s + 1; e <= n; e++) {
                total++;
                double best = 0;
                for (double[] w : a.relevantWindows()) best = Math.max(best, iou(2.0 * s, 2.0 * e, w[0], w[1]));
                if (best >= thr) hits++;
            }
        }
        return total == 0 ? 0 : (double) hits / total;
    }

    static double iou(double s0, double e0, double s1, double e1) {
        double inter = Math.max(0, Math.min(e0, e1) - Math.max(s0, s1));
        double union = (e0 - s0) + (e1 - s1) - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /** (n clips × 3) scores: zeros except the relevant clips, as the official {@code mk_gt_scores}. */
    static int[][] clipScores(Annotation a) {
        int[][] gt = new int[(int) (a.duration() / 2)][3];
        int[] ids = a.relevantClipIds();
        for (int k = 0; k < ids.length; k++) {
            if (ids[k] < gt.length) gt[ids[k]] = a.saliencyScores()[k].clone();
        }
        return gt;
    }

    /**
     * The official {@code get_ap}: 0 when y has no positive, 1 when it has no negative; otherwise precision/recall at
     * every distinct score threshold (recall rounded to float32), ordered from the lowest threshold with the point
     * (precision 1, recall 0) appended, precision replaced by its running maximum in that order, and the mean
     * precision over the points where recall changes to the next point.
     */
    static double averagePrecision(boolean[] y, double[] score) {
        int n = y.length;
        int pos = 0;
        for (boolean b : y) if (b) pos++;
        if (pos == 0) return 0;
        if (pos == n) return 1;
        int[] order = StableArgsort.of(score);
        // Walk from the highest score down; a threshold point after each run of equal scores.
        double[] prec = new double[n + 1];
        float[] rec = new float[n + 1];
        int points = 0;
        int tp = 0;
        for (int i = n - 1; i >= 0; i--) {
            if (y[order[i]]) tp++;
            if (i == 0 || score[order[i - 1]] != score[order[i]]) {
                int predicted = n - i;
                prec[points] = (double) tp / predicted;
                rec[points] = (float) ((double) tp / pos);
                points++;
            }
        }
        // points are from the highest threshold to the lowest; reverse into sklearn's order and append (1, 0).
        double[] p = new double[points + 1];
        float[] r = new float[points + 1];
        for (int i = 0; i < points; i++) {
            p[i] = prec[points - 1 - i];
            r[i] = rec[points - 1 - i];
        }
        p[points] = 1;
        r[points] = 0;
        for (int i = 1; i <= points; i++) p[i] = Math.max(p[i - 1], p[i]);
        double sum = 0;
        int count = 0;
        for (int i = 0; i < points; i++) {
            if (r[i + 1] != r[i]) {
                sum += p[i];
                count++;
            }
        }
        return count == 0 ? 0 : sum / count;
    }
}
