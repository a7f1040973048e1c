package trdetr.backend.cpu;

import trdetr.tensor.CounterRng;

/**
 * Float32 loops in scalar form: the reference forms of {@link VectorLoops} (what runs without the Vector API, and on
 * each vector loop's tail) and the dropout mask.
 * Float32 throughout; the arithmetic is the formula of the op ({@link trdetr.backend.UnaryOp}) with a float slope,
 * whose float product equals the double product rounded once.
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

    /** Σ g·(x &gt; 0 ? 0 : x), each product in float, added in index order in double (PReLU's slope gradient). */
    static double negativePartDot(float[] g, int go, float[] x, int xo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += g[go + i] * (x[xo + i] > 0 ? 0f : x[xo + i]);
        return s;
    }

    /** Zeroes element i when CounterRng.keyedBits(key, counter + i) &gt;&gt;&gt; 40 &lt; drop, else scales it by keep. */
    static void dropout(float[] a, int ao, float[] y, int yo, int n, long key, long counter, long drop, float keep) {
        for (int i = 0; i < n; i++) y[yo + i] = (CounterRng.keyedBits(key, counter + i) >>> 40) < drop ? 0f : a[ao + i] * keep;
    }
}
