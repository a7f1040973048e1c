package trdetr.tensor;

/**
 * A counter-based random number generator: the n-th number of stream {@code seed} is a pure function of
 * (seed, n). Any element can be drawn independently, in any order, on any device, so the CPU and CUDA
 * backends give identical dropout masks. The mixing function is SplitMix64's finaliser applied twice.
 */
public final class CounterRng {
    private CounterRng() {}

    public static long mix(long z) {
        z = (z ^ (z >>> MIX_SHIFT_1)) * MIX_MULTIPLIER_1;
        z = (z ^ (z >>> MIX_SHIFT_2)) * MIX_MULTIPLIER_2;
        return z ^ (z >>> MIX_SHIFT_3);
    }

    /** {@link #mix}'s shifts and multipliers (SplitMix64's), for the kernels that compute it lane by lane. */
    public static final int MIX_SHIFT_1 = 30, MIX_SHIFT_2 = 27, MIX_SHIFT_3 = 31;
    public static final long MIX_MULTIPLIER_1 = 0xbf58476d1ce4e5b9L, MIX_MULTIPLIER_2 = 0x94d049bb133111ebL;

    public static long bits(long seed, long counter) {
        return keyedBits(key(seed), counter);
    }

    /** The per-stream half of {@link #bits}: a kernel drawing many numbers of one stream computes it once. */
    public static long key(long seed) { return mix(seed + 0x9e3779b97f4a7c15L); }

    /** {@link #bits}(seed, counter) given {@code key(seed)}. */
    public static long keyedBits(long key, long counter) {
        return mix(key ^ (counter * GOLDEN + INCREMENT));
    }

    /** The counter's multiplier and increment in {@link #keyedBits} (a loop over counters may step the product). */
    public static final long GOLDEN = 0x9e3779b97f4a7c15L, INCREMENT = 0x632be59bd9b4e019L;

    /**
     * The integer form of {@code uniform(seed, counter) < p}: uniform is k·2⁻²⁴ for the integer k = bits >>> 40, and
     * k·2⁻²⁴ &lt; p exactly when k &lt; ⌈p·2²⁴⌉ (both sides are exact in double). So {@code (keyedBits(key, c) >>> 40)
     * < belowThreshold(p)} is the same test without a float conversion per element.
     */
    public static long belowThreshold(double p) { return (long) Math.ceil(p * 0x1.0p24); }

    /** Uniform in [0, 1) with 24 random bits, exactly representable in float32. */
    public static float uniform(long seed, long counter) {
        return (bits(seed, counter) >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public static double uniformDouble(long seed, long counter) {
        return (bits(seed, counter) >>> 11) * 0x1.0p-53;
    }
}
