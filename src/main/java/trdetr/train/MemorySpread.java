package trdetr.train;

/**
 * How much the encoder's memory (the clip features the decoder reads, spec §2.7) differs from clip to clip over an
 * evaluation split: the mean over features of their standard deviation across all valid clips, divided by the
 * memory's root mean square. A freshly initialised model gives about 0.7; 0 means every clip looks the same.
 *
 * <p>Why it is worth watching: TR-DETR's encoder can collapse. The attention and feed-forward outputs of its
 * post-norm layers grow a large constant part (|mean| 15–25 per feature against a clip-to-clip spread of 0.1), so each
 * LayerNorm sees one big vector plus a tiny per-clip part and returns the same vector for every clip. Highlight
 * detection still learns, because MR2HD re-weights the memory with the pre-encoder features (spec §2.10), but every
 * query slot of the decoder then gets the same score and moment retrieval cannot learn at all. On the demo data at a
 * learning rate of 1e-3 (batch 8) this happened within the first 150 steps, in ours and in the official code, and
 * 3,000 steps did not undo it; it happened as well with the saliency loss off, with CTC and VTC off, with the span and
 * label losses off, and with both bug fixes on, so the step size, not one loss term, drives it. At 3e-4 the spread
 * fell to 0.03 and recovered to 0.5 within 750 steps; at 1e-4 it stayed near 0.2. Training prints a warning when it
 * falls below {@link #COLLAPSED}.
 */
public final class MemorySpread {
    /** Below this the memory is, for the decoder, the same vector at every clip. */
    public static final double COLLAPSED = 0.01;

    private double[] sum, sumSq;
    private double totalSq;
    private long clips;

    /**
     * Adds the valid clips of one batch.
     *
     * @param memory       (B, Lv, d) row-major
     * @param validLengths valid clips per sample (the first ones of each row)
     */
    public void add(float[] memory, int lv, int d, int[] validLengths) {
        if (sum == null) {
            sum = new double[d];
            sumSq = new double[d];
        } else if (sum.length != d) {
            throw new IllegalArgumentException("memory width changed from " + sum.length + " to " + d);
        }
        for (int b = 0; b < validLengths.length; b++) {
            for (int t = 0; t < validLengths[b]; t++) {
                int row = (b * lv + t) * d;
                for (int k = 0; k < d; k++) {
                    double x = memory[row + k];
                    sum[k] += x;
                    sumSq[k] += x * x;
                    totalSq += x * x;
                }
                clips++;
            }
        }
    }

    /** A one-line warning when the memory has collapsed ({@code when} says after what), else null. */
    public String warning(String when) {
        double v = value();
        if (!(v < COLLAPSED)) return null;
        return String.format("warning: %s every clip reaches the decoder with the same features (memory spread %.2g): the encoder has"
                + " collapsed, and moment retrieval cannot learn from it (see MemorySpread)", when, v);
    }

    /** The spread (0 = every clip identical); NaN before any clip was added. */
    public double value() {
        if (clips == 0) return Double.NaN;
        double stdSum = 0;
        for (int k = 0; k < sum.length; k++) {
            double mean = sum[k] / clips;
            stdSum += Math.sqrt(Math.max(0, sumSq[k] / clips - mean * mean));
        }
        double rms = Math.sqrt(totalSq / ((double) clips * sum.length));
        return rms == 0 ? 0 : stdSum / sum.length / rms;
    }
}
