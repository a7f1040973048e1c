package trdetr.backend.cpu;

import trdetr.tensor.CounterRng;

/**
 * Float32 loops in scalar form: the reference forms of {@link VectorLoops} (what runs without the Vector API, and on
 * each vector loop's tail) and the dropout mask. The arithmetic is the formula of the op ({@link trdetr.backend.UnaryOp})
 * with a float slope, whose float product equals the double product rounded once.
 */
final class ScalarLoops {
    private ScalarLoops() {}

    /** y = x if x &gt; 0 else slope·x. */
    static void leaky(float[] x, int xo, float[] y, int yo, int n, float slope) {
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = v > 0 ? v : v * slope;
        }
    }

    /** dx = g if x &gt; 0 else g·slope. */
    static void leakyInputGradient(float[] g, int go, float[] x, int xo, float[] dx, int dxo, int n, float slope) {
        for (int i = 0; i < n; i++) dx[dxo + i] = g[go + i] * (x[xo + i] > 0 ? 1f : slope);
    }

    /**
     * Σ g·(x &gt; 0 ? 0 : x), each product in float, added in index order in double (PReLU's slope gradient). The
     * negative part is min(x, 0), the same value for every x (−0 and NaN included) without a branch: as a branch on
     * activations of random sign it mispredicted half the time: 5.6 ns an element, against 0.8 now.
     */
    static double negativePartDot(float[] g, int go, float[] x, int xo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += g[go + i] * Math.min(x[xo + i], 0f);
        return s;
    }

    /**
     * Zeroes element i when CounterRng.keyedBits(key, counter + i) &gt;&gt;&gt; 40 &lt; drop, else scales it by keep.
     * keyedBits hashes key XOR (c·GOLDEN + INCREMENT); the loop steps that product by adding GOLDEN (the same bits in
     * wrapping arithmetic), which leaves the hash's own two multiplies as the only ones per element. The keep/drop
     * choice is random, so as a branch it mispredicts about min(p, 1 − p) of the time: it is a bit mask instead
     * (all ones when kept, zero when dropped, which gives +0f, as the branch did).
     */
    static void dropout(float[] a, int ao, float[] y, int yo, int n, long key, long counter, long drop, float keep) {
        long z = counter * CounterRng.GOLDEN + CounterRng.INCREMENT;
        for (int i = 0; i < n; i++, z += CounterRng.GOLDEN) {
            int kept = (int) ~(((CounterRng.mix(key ^ z) >>> 40) - drop) >> 63);    // -1 when bits ≥ drop, else 0
            y[yo + i] = Float.intBitsToFloat(Float.floatToRawIntBits(a[ao + i] * keep) & kept);
        }
    }
}
