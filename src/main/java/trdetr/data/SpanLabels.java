package trdetr.data;

import trdetr.tensor.Generator;

/**
 * Span labels (spec §5.3): at most {@code maxWindows} windows — when there are more, the list is shuffled and the
 * first ones kept — divided by ctx_l·clip_length (the feature length, not the annotated duration) and turned into
 * (center, width). The arithmetic is float32 as in the official code: the windows become a float32 tensor, are
 * divided by the float32 length, then center = (st + ed)·0.5 and width = ed − st.
 *
 * <p>The official code shuffles the annotation's list in place. Inside DataLoader workers (the released run used
 * 4) that mutation lives only in the worker's copy for one epoch, so every epoch shuffles the original order again;
 * we shuffle a copy, which is that behaviour (with 0 workers the official code would also reorder the ground truth
 * used later for evaluation).
 */
public final class SpanLabels {
    private SpanLabels() {}

    public static float[][] of(double[][] windows, int ctxL, double clipLength, int maxWindows, Generator gen) {
        double[][] keep = windows;
        if (windows.length > maxWindows) {
            Object[] copy = windows.clone();
            RandomSampling.shuffle(copy, gen);
            keep = new double[maxWindows][];
            for (int i = 0; i < maxWindows; i++) keep[i] = (double[]) copy[i];
        }
        float len = (float) (ctxL * clipLength);
        float[][] out = new float[keep.length][];
        for (int i = 0; i < keep.length; i++) {
            float st = (float) keep[i][0] / len;
            float ed = (float) keep[i][1] / len;
            out[i] = new float[] {(st + ed) * 0.5f, ed - st};
        }
        return out;
    }

    /** TVSum's dummy span label [[0, 0]] (no moment retrieval there). */
    public static float[][] dummy() { return new float[][] {{0f, 0f}}; }
}
