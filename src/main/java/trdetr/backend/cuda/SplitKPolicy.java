package trdetr.backend.cuda;

/**
 * How many K ranges ("splits") a pipelined TF32 product is cut into, so that shapes with few output tiles, such as
 * the model's 2400×256 products with K = 2818 (38 tiles of 128×128 for 132 SMs), still occupy the whole GPU.
 * Each split writes its own workspace slice and a second kernel adds the slices, so splitting also has a cost.
 *
 * <p>The choice minimises a rough time model over s = 1 … {@link #MAX_SPLITS}:
 * <pre>
 *   time(s) = ceil(tiles·s / SMs) · ceil(kSteps / s) · stepNanos  +  (s > 1 ? reduceNanos(s) : 0)
 * </pre>
 * The first term is the busiest SM's work when blocks are spread evenly (blocks that share an SM share its tensor
 * cores, so occupancy shortens nothing; wave quantisation is what it captures: 152 blocks on 132 SMs take as long
 * as 264). The second is the reduction: the workspace written by the GEMM and read back, C written once, at
 * {@link #BYTES_PER_NANO}, plus {@link #LAUNCH_NANOS} for the extra launch. stepNanos is one block's BK step at
 * {@link #SM_FLOPS_PER_NANO}. The constants are H100/H200-sized; on other GPUs the model still ranks the
 * candidates sensibly because both terms scale with the GPU's size.
 */
public final class SplitKPolicy {
    /** At most this many splits (the workspace grows with each). */
    public static final int MAX_SPLITS = 16;
    /** Sustained TF32 mma.sync FLOP per ns of one SM (about 60% of the measured H200 ceiling / 132 SMs). */
    static final double SM_FLOPS_PER_NANO = 1440;
    /** Device-memory (or L2) bandwidth for the split-K workspace traffic, bytes per ns. */
    static final double BYTES_PER_NANO = 3000;
    /** The reduction kernel's launch and tail. */
    static final double LAUNCH_NANOS = 3000;

    private SplitKPolicy() {}

    /**
     * The number of splits for `tiles` output tiles (all batches) of tileM×tileN, each kSteps steps of bk, on
     * `multiprocessors` SMs, for an output of outputElements (batch·m·n). Never more splits than kSteps, never an
     * empty split, the workspace under 2³¹ floats and batch·splits within the grid's z limit.
     */
    public static int splits(long tiles, int kSteps, int multiprocessors, int tileM, int tileN, int bk, long outputElements, int batch) {
        double stepNanos = 2.0 * tileM * tileN * bk / SM_FLOPS_PER_NANO;
        int best = 1;
        double bestTime = Double.MAX_VALUE;
        for (int s = 1; s <= Math.min(MAX_SPLITS, kSteps); s++) {
            if (s > 1 && ((long) s * outputElements > Integer.MAX_VALUE || (long) s * batch > 65535)) break;
            if (normalised(kSteps, s) != s) continue;   // some split would be empty: the same as fewer splits
            double time = ceilDiv(tiles * s, multiprocessors) * ceilDiv(kSteps, s) * stepNanos;
            if (s > 1) time += LAUNCH_NANOS + (2.0 * s + 1) * outputElements * 4 / BYTES_PER_NANO;
            if (time < bestTime) { bestTime = time; best = s; }
        }
        return best;
    }

    /** K steps of each split when kSteps are cut into `splits`. */
    public static int stepsPerSplit(int kSteps, int splits) { return (int) ceilDiv(kSteps, splits); }

    /** The number of non-empty splits that cutting kSteps into `splits` ranges of {@link #stepsPerSplit} leaves. */
    static int normalised(int kSteps, int splits) { return (int) ceilDiv(kSteps, stepsPerSplit(kSteps, splits)); }

    private static long ceilDiv(long a, long b) { return (a + b - 1) / b; }
}
