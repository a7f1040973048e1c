package trdetr.data;

import trdetr.pyexact.StableArgsort;
import trdetr.tensor.Generator;

/**
 * QVHighlights saliency labels (official {@code get_saliency_labels_all} with max_n = 1, spec §5.3).
 *
 * <ul>
 *   <li>agg = sum of the annotator scores of each relevant clip; order = ascending argsort of agg (stable here, see
 *       {@link StableArgsort}).</li>
 *   <li>hard positive = clip id of the last in order, hard negative = clip id of the first, both clamped to ≤ ctx_l−1.</li>
 *   <li>easy pool = clips in [0, ctx_l) that are not relevant. If it is non-empty: easy positive = one random
 *       relevant clip id (not clamped — it may be ≥ ctx_l), easy negative = one random pool clip; else copies of
 *       the hard ones. Positives [hard, easy], negatives [hard, easy].</li>
 *   <li>saliency_all_labels = zeros(ctx_l) with agg at each relevant clip id. Official quirk, kept: an id equal to
 *       ctx_l grows the array to ctx_l + 1. An id above ctx_l, or a second id ≥ ctx_l, makes the official code raise
 *       (IndexError / shape mismatch); we raise too, with a message naming the record.</li>
 * </ul>
 * Draw order: easy positive, then easy negative (after the span shuffle, as officially).
 */
public final class SaliencyLabels {
    private SaliencyLabels() {}

    /** Hard and easy positives/negatives and the per-clip aggregated scores. */
    public record Result(long[] pos, long[] neg, float[] all) {}

    public static Result of(int[] clipIds, int[][] scores, int ctxL, Generator gen) {
        int n = clipIds.length;
        if (n == 0) throw new IllegalArgumentException("no relevant clips");
        long[] agg = new long[n];
        for (int k = 0; k < n; k++) for (int s : scores[k]) agg[k] += s;
        int[] order = StableArgsort.of(agg);

        float[] all = new float[ctxL];
        for (int k = 0; k < n; k++) {
            int id = clipIds[k];
            if (id >= ctxL) {
                if (all.length != ctxL) {
                    throw new IllegalArgumentException("two relevant clip ids ≥ the feature length " + ctxL
                            + " (the official loader fails here too)");
                }
                all = java.util.Arrays.copyOf(all, ctxL + 1);
            }
            if (id >= all.length) {
                throw new IllegalArgumentException("relevant clip id " + id + " is beyond the feature length " + ctxL
                        + " (the official loader fails here too)");
            }
            all[id] = agg[k];
        }

        long hardPos = Math.min(clipIds[order[n - 1]], ctxL - 1);
        long hardNeg = Math.min(clipIds[order[0]], ctxL - 1);
        java.util.BitSet relevant = new java.util.BitSet();
        for (int id : clipIds) relevant.set(id);
        int poolSize = 0;
        for (int c = 0; c < ctxL; c++) if (!relevant.get(c)) poolSize++;
        long easyPos;
        long easyNeg;
        if (poolSize >= 1) {
            int[] pool = new int[poolSize];
            for (int c = 0, i = 0; c < ctxL; c++) if (!relevant.get(c)) pool[i++] = c;
            easyPos = RandomSampling.sample(clipIds, 1, gen)[0];
            easyNeg = RandomSampling.sample(pool, 1, gen)[0];
        } else {
            easyPos = hardPos;
            easyNeg = hardNeg;
        }
        return new Result(new long[] {hardPos, easyPos}, new long[] {hardNeg, easyNeg}, all);
    }
}
