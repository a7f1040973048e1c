package trdetr.eval;

import java.util.ArrayList;
import java.util.List;
import trdetr.pyexact.NumpyArgsort;
import trdetr.pyexact.NumpyReductions;

/**
 * Average precision of one query's predicted windows against its ground-truth windows at several IoU thresholds
 * (the ActivityNet/MMAction2 detection AP the official evaluator uses), with every tie resolved as there.
 *
 * <ol>
 *   <li>Predictions are stably sorted by descending score.</li>
 *   <li>Per threshold, each prediction in turn visits the ground-truth windows from the highest IoU down, in the
 *       reverse of {@code np.argsort(iou)} ({@link NumpyArgsort}: NaN first, ties from the higher index down for up
 *       to 16 windows): an IoU below the threshold ends the search (false positive), a window already taken is
 *       skipped, the first free one is taken (true positive); running out is a false positive.</li>
 *   <li>Precision/recall from the cumulative counts, then VOC-2011 interpolation: (0, 0) prepended, (1, 0)
 *       appended, precision made non-increasing from the right, AP = Σ over recall changes of Δrecall × precision
 *       (NumPy's pairwise sum).</li>
 * </ol>
 */
public final class DetectionAveragePrecision {
    private DetectionAveragePrecision() {}

    /**
     * @param gtStarts   ground-truth starts
     * @param gtEnds     ground-truth ends
     * @param predictions rows [start, end, score] in submission order (not modified)
     * @param thresholds IoU thresholds
     * @return AP per threshold (NaN when there is no ground truth, as in the original's 0/0 recall)
     */
    public static double[] compute(double[] gtStarts, double[] gtEnds, List<double[]> predictions, double[] thresholds) {
        int nt = thresholds.length, np = predictions.size(), ng = gtStarts.length;
        double[] ap = new double[nt];
        if (np == 0) return ap;
        List<double[]> preds = new ArrayList<>(predictions);
        // list.sort(key=lambda x: -x['score']) is stable.
        preds.sort((a, b) -> Double.compare(-a[2] == 0 ? 0.0 : -a[2], -b[2] == 0 ? 0.0 : -b[2]));
        boolean[][] locked = new boolean[nt][ng];
        boolean[][] tp = new boolean[nt][np];
        boolean[][] fp = new boolean[nt][np];
        for (int p = 0; p < np; p++) {
            double[] w = preds.get(p);
            double[] iou = TemporalIou.cross(w[0], w[1], gtStarts, gtEnds);
            int[] order = NumpyArgsort.argsortDescending(iou);
            for (int t = 0; t < nt; t++) {
                for (int j : order) {
                    if (iou[j] < thresholds[t]) {
                        fp[t][p] = true;
                        break;
                    }
                    if (locked[t][j]) continue;
                    tp[t][p] = true;
                    locked[t][j] = true;
                    break;
                }
                if (!tp[t][p]) fp[t][p] = true;
            }
        }
        double numPositive = ng;
        for (int t = 0; t < nt; t++) {
            double[] recall = new double[np], precision = new double[np];
            double tpSum = 0, fpSum = 0;
            for (int p = 0; p < np; p++) {
                if (tp[t][p]) tpSum += 1;
                if (fp[t][p]) fpSum += 1;
                recall[p] = tpSum / numPositive;
                precision[p] = tpSum / (tpSum + fpSum);
            }
            ap[t] = interpolatedAp(precision, recall);
        }
        return ap;
    }

    /** VOC-2011 interpolated AP of a precision/recall sequence. */
    static double interpolatedAp(double[] precision, double[] recall) {
        int n = precision.length + 2;
        double[] mp = new double[n], mr = new double[n];
        System.arraycopy(precision, 0, mp, 1, precision.length);
        System.arraycopy(recall, 0, mr, 1, recall.length);
        mr[n - 1] = 1;
        for (int i = n - 2; i >= 0; i--) {
            if (mp[i + 1] > mp[i]) mp[i] = mp[i + 1]; // Python's max(a, b) keeps a unless b is greater
        }
        double[] terms = new double[n - 1];
        int k = 0;
        for (int i = 1; i < n; i++) {
            if (mr[i] != mr[i - 1]) terms[k++] = (mr[i] - mr[i - 1]) * mp[i];
        }
        return NumpyReductions.sum(terms, 0, k);
    }
}
