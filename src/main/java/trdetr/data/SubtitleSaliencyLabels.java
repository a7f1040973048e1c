package trdetr.data;

import trdetr.tensor.Generator;

/**
 * Binary saliency labels from a single window (official {@code get_saliency_labels_sub_as_query}, max_n = 2),
 * used for the subtitle pretraining data and — following Lighthouse — for Charades-STA (spec §5.3, §9):
 * gs = int(st/clip), ge = max(0, min(int(ed/clip), ctx_l) − 1), gs lowered to ge when above it; positives = 2
 * distinct random clips of [gs, ge] (or [gs, gs] when gs = ge); negatives = 2 distinct random clips of
 * [0, gs) ∪ (ge, ctx_l); saliency_all_labels = 1 on [gs, ge], 0 elsewhere.
 *
 * <p>When the negative pool has fewer than 2 clips the official code raises (random.sample); we use Lighthouse's
 * fallback, negatives = the positives, for both datasets.
 */
public final class SubtitleSaliencyLabels {
    private SubtitleSaliencyLabels() {}

    public static SaliencyLabels.Result of(double[] window, double clipLength, int ctxL, Generator gen) {
        int gs = (int) (window[0] / clipLength); // Python int(): truncation toward zero
        int ge = Math.max(0, Math.min((int) (window[1] / clipLength), ctxL) - 1);
        if (gs > ge) gs = ge;
        if (gs < 0) throw new IllegalArgumentException("window [" + window[0] + ", " + window[1] + "] starts before 0");
        int[] pos = gs != ge ? RandomSampling.sampleRange(gs, ge + 1, 2, gen) : new int[] {gs, gs};
        int poolSize = gs + Math.max(0, ctxL - ge - 1);
        int[] neg;
        if (poolSize >= 2) {
            int[] pool = new int[poolSize];
            int i = 0;
            for (int c = 0; c < gs; c++) pool[i++] = c;
            for (int c = ge + 1; c < ctxL; c++) pool[i++] = c;
            neg = RandomSampling.sample(pool, 2, gen);
        } else {
            neg = pos.clone();
        }
        float[] all = new float[ctxL];
        for (int c = gs; c <= ge && c < ctxL; c++) all[c] = 1f;
        return new SaliencyLabels.Result(toLong(pos), toLong(neg), all);
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
