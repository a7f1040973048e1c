package trdetr.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import trdetr.pyexact.NumpyReductions;
import trdetr.pyexact.PythonFloats;

/**
 * TVSum's highlight metric as the official {@code compute_hl_results} computes it (the UMT recipe): top-5 mAP over
 * the 20 annotators of each video.
 *
 * <p>Per video and annotator i: the predicted saliency, cut to the number of label rows, ranks the clips (descending;
 * ties keep the lower clip first — the official CUDA argsort leaves tie order unspecified); the annotator's column
 * is binarised with "score > median", the median being torch's lower median (element (n−1)/2 of the sorted column,
 * float32); the top-5 labels of the ranking give an AP of 0 when none is positive, else
 * {@code Σ_j (rec_j − rec_{j−1})·(prec_{j−1} + prec_j)/2} with rec_0 = 0, prec_0 = 1, rec_j = hits_j/#positives in
 * the top 5, prec_j = hits_j/j.
 *
 * <p>The official loop appends a video's 20 APs to the collection once per <em>batch</em> (an indentation slip), so
 * only the last video of each evaluation batch counts: {@link Averaging#OFFICIAL_LAST_VIDEO_PER_BATCH} reproduces
 * that (and is harmless with one validation video per domain); {@link Averaging#EVERY_VIDEO} counts every video, as
 * Lighthouse does. The mean is NumPy's over the (rows, 20) array, then {@code round(mean, 5)} the NumPy way.
 */
public final class TvSumMetric {
    private TvSumMetric() {}

    /** Which videos enter the mean. */
    public enum Averaging {
        /** Only the last video of each evaluation batch (the official behaviour). */
        OFFICIAL_LAST_VIDEO_PER_BATCH,
        /** Every video (the corrected behaviour). */
        EVERY_VIDEO
    }

    /** The official top-k. */
    public static final int TOP_K = 5;

    /**
     * The metric over a validation set in evaluation order.
     *
     * @param saliency  per video, the model's saliency row (float32; may be longer than the video, as a padded batch
     *                  row is)
     * @param labels    per video, the (clips, annotators) label matrix ({@code meta["label"]})
     * @param batchSize the evaluation batch size (only used by the official averaging)
     * @return {@code {"mAP": round(mean, 5)}}'s value
     */
    public static double meanAp(List<float[]> saliency, List<double[][]> labels, int batchSize, Averaging averaging) {
        if (saliency.size() != labels.size()) throw new IllegalArgumentException("saliency and labels differ in video count");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be positive");
        List<double[]> rows = new ArrayList<>();
        for (int v = 0; v < saliency.size(); v++) {
            boolean lastOfBatch = (v + 1) % batchSize == 0 || v == saliency.size() - 1;
            if (averaging == Averaging.EVERY_VIDEO || lastOfBatch) rows.add(videoAps(saliency.get(v), labels.get(v), TOP_K));
        }
        double[][] m = rows.toArray(new double[0][]);
        return PythonFloats.numpyRound(NumpyReductions.mean(m), 5);
    }

    /** The AP of each annotator (column of the label matrix) for one video. */
    public static double[] videoAps(float[] saliency, double[][] label, int topK) {
        int clips = label.length;
        if (clips == 0) throw new IllegalArgumentException("a video without label rows");
        int annotators = label[0].length;
        int ranked = Math.min(clips, saliency.length);
        int[] order = descendingStable(Arrays.copyOf(saliency, ranked));
        double[] aps = new double[annotators];
        for (int i = 0; i < annotators; i++) {
            float[] column = new float[clips];
            for (int c = 0; c < clips; c++) column[c] = (float) label[c][i];
            float median = lowerMedian(column);
            int k = Math.min(topK, ranked);
            double[] top = new double[k];
            for (int j = 0; j < k; j++) top[j] = column[order[j]] > median ? 1.0 : 0.0;
            aps[i] = topKAp(top);
        }
        return aps;
    }

    /** The official AP over the top-k binary labels of a ranking. */
    static double topKAp(double[] top) {
        double numGt = 0;
        for (double g : top) numGt += g;
        if (numGt == 0) return 0;
        double hits = 0, ap = 0, rec = 0, prc = 1;
        for (int j = 0; j < top.length; j++) {
            hits += top[j];
            double r = hits / numGt;
            double p = hits / (j + 1);
            ap += (r - rec) * (prc + p) / 2;
            rec = r;
            prc = p;
        }
        return ap;
    }

    /** torch.median of a 1-D tensor: the lower of the two middle values for an even count (NaN sorts last). */
    static float lowerMedian(float[] v) {
        float[] s = v.clone();
        Arrays.sort(s);
        return s[(s.length - 1) / 2];
    }

    /** Indices from the highest value to the lowest; ties keep index order; NaN counts as the highest. */
    static int[] descendingStable(float[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> {
            float x = v[a], y = v[b];
            if (Float.isNaN(x) || Float.isNaN(y)) return Boolean.compare(Float.isNaN(y), Float.isNaN(x));
            return Float.compare(y + 0f, x + 0f);
        });
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }
}
