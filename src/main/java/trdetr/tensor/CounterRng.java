package trdetr.tensor;

/**
 * A counter-based random number generator: the n-th number of stream {@code seed} is a pure function of
 * (seed, n). Any element can be drawn independently, in any order, on any device, so the CPU and CUDA
 * backends give identical dropout masks. The mixing function is SplitMix64's finaliser applied twice.
 */
public final class CounterRng {
    private CounterRng() {}

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    public static long bits(long seed, long counter) {
        return mix(mix(seed + 0x9e3779b97f4a7c15L) ^ (counter * 0x9e3779b97f4a7c15L + 0x632be59bd9b4e019L));
    }

    /** Uniform in [0, 1) with 24 random bits, exactly representable in float32. */
    public static float uniform(long seed, long counter) {
        return (bits(seed, counter) >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public static double uniformDouble(long seed, long counter) {
        return (bits(seed, counter) >>> 11) * 0x1.0p-53;
    }
}
