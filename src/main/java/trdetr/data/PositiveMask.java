package trdetr.data;

/**
 * The CTC label {@code pos_mask}: 1 at the relevant clips (spec §5.3, §4.6).
 *
 * <p>Official quirk, kept: when any clip id is ≥ ctx_l, the code builds a mask of length max_id + 1 with ones at
 * every id and then overwrites its first ctx_l entries with zeros — so every in-range positive is lost and only
 * the out-of-range ones remain (beyond the video). The collator cuts such a mask to the batch length (the official
 * CTC loss would fail on the length mismatch when that sample is the longest of its batch).
 */
public final class PositiveMask {
    private PositiveMask() {}

    /** From relevant clip ids (QVHighlights and its pretraining data), with the official quirk. */
    public static float[] fromClipIds(int[] clipIds, int ctxL) {
        if (clipIds.length == 0) throw new IllegalArgumentException("pos_mask: no relevant clip ids");
        int max = 0;
        for (int id : clipIds) max = Math.max(max, id);
        if (max >= ctxL) {
            float[] mask = new float[max + 1];
            for (int id : clipIds) if (id >= ctxL) mask[id] = 1f; // ids < ctx_l are erased by the official code
            return mask;
        }
        float[] mask = new float[ctxL];
        for (int id : clipIds) mask[id] = 1f;
        return mask;
    }

    /**
     * Lighthouse's rule for datasets without clip ids (Charades-STA): the clips [floor(st/clip), ceil(ed/clip)) of
     * the first window (one clip when both are equal), the same erasure quirk as above, and then the mask cut to
     * ctx_l — so a first window that reaches past the features gives an all-zero mask. Lighthouse's own comment
     * says it could not reproduce the reported scores with this rule.
     */
    public static float[] fromFirstWindow(double[] window, double clipLength, int ctxL) {
        int st = (int) Math.floor(window[0] / clipLength);
        int ed = (int) Math.ceil(window[1] / clipLength);
        if (st == ed) ed += 1;
        if (ed <= st) throw new IllegalArgumentException("pos_mask: window [" + window[0] + ", " + window[1] + "] covers no clip");
        if (st < 0) throw new IllegalArgumentException("pos_mask: window [" + window[0] + ", " + window[1] + "] starts before 0");
        int[] ids = new int[ed - st];
        for (int i = 0; i < ids.length; i++) ids[i] = st + i;
        float[] mask = fromClipIds(ids, ctxL);
        return mask.length == ctxL ? mask : java.util.Arrays.copyOf(mask, ctxL);
    }

    /** TVSum: 1 on the upper half of the clips by aggregated score, {@code argsort(agg)[ctx_l // 2:]}. */
    public static float[] tvsumUpperHalf(int[] ascendingOrder, int ctxL) {
        float[] mask = new float[ctxL];
        for (int i = ctxL / 2; i < ascendingOrder.length; i++) mask[ascendingOrder[i]] = 1f;
        return mask;
    }
}
