package trdetr.data;

import trdetr.pyexact.StableArgsort;

/**
 * TVSum labels (official {@code get_saliency_labels_all_tvsum} and the TVSum branch of {@code __getitem__},
 * spec §5.3): agg = Σ over the 20 annotators of (score − 1) for the first ctx_l clips of the label matrix (0..80);
 * saliency_all_labels = agg / 80 · 12 (float64, then float32 at collation); positive = [last clip of the ascending
 * order], negative = [first clip] (K = 1, no easy pairs; stable order for ties, see {@link StableArgsort});
 * pos_mask = 1 on {@code argsort(agg)[ctx_l // 2:]}; span label [[0, 0]].
 */
public final class TvsumLabels {
    private TvsumLabels() {}

    public static SampleLabels of(double[][] label, int ctxL) {
        int n = Math.min(label.length, ctxL);
        double[] agg = new double[n];
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (double v : label[r]) s += v - 1.0;
            agg[r] = s;
        }
        int[] order = StableArgsort.of(agg);
        float[] all = new float[n];
        for (int r = 0; r < n; r++) all[r] = (float) (agg[r] / 80 * 12);
        long pos = Math.min(order[n - 1], ctxL - 1);
        long neg = Math.min(order[0], ctxL - 1);
        return new SampleLabels(SpanLabels.dummy(), new long[] {pos}, new long[] {neg}, all, PositiveMask.tvsumUpperHalf(order, ctxL));
    }
}
