package trdetr.backend.cpu;

/**
 * The CPU's float32 sigmoid and tanh, element-wise ({@link CpuElementwise}) and in the GRU's fused gates
 * ({@link CpuGru}): {@link DoubleExp#sigmoid} and {@link DoubleExp#tanh} in double, each rounded once to float. Their
 * double results are within 2 and 4 ulp of the {@code Math} formulas (DoubleExpTest), so a float output differs from
 * the {@code Math} one only where that sliver straddles a float rounding boundary: about once in 10⁸ elements. Float64
 * keeps {@code Math}'s, the reference.
 *
 * <p>Why: {@code Math.tanh} is fdlibm's, scalar, through {@code StrictMath.expm1}, and with {@code Math.exp} it took
 * most of the GRU's 65 ms a forward pass (1.8 million gates); these run in 512-bit double lanes
 * ({@link VectorLoops#sigmoid}, {@link VectorLoops#tanh}, the same bits as the scalar forms), and give the same bits on
 * every JVM, where {@code Math.tanh} may be an intrinsic of the JDK's choosing (Java 24 and later).
 */
final class SigmoidTanh {
    private SigmoidTanh() {}

    /** Elements per pass through the double buffer. */
    private static final int CHUNK = 512;
    private static final ThreadLocal<double[]> BUFFER = ThreadLocal.withInitial(() -> new double[CHUNK]);

    /** y[yo + i·ys] = f(x[xo + i·xs]) for i &lt; n, f tanh or the sigmoid; y may be x. */
    static void apply(boolean tanh, float[] x, int xo, int xs, float[] y, int yo, int ys, int n) {
        double[] v = BUFFER.get();
        for (int c = 0; c < n; c += CHUNK) {
            int len = Math.min(CHUNK, n - c);
            for (int i = 0, q = xo + c * xs; i < len; i++, q += xs) v[i] = x[q];
            inPlace(tanh, v, len);
            for (int i = 0, p = yo + c * ys; i < len; i++, p += ys) y[p] = (float) v[i];
        }
    }

    /** v[i] = f(v[i]) for i &lt; n, in Vector API lanes where the module is loaded. */
    static void inPlace(boolean tanh, double[] v, int n) {
        if (VectorLoopGates.LOOPS) {
            if (tanh) VectorLoops.tanh(v, n);
            else VectorLoops.sigmoid(v, n);
        } else {
            for (int i = 0; i < n; i++) v[i] = tanh ? DoubleExp.tanh(v[i]) : DoubleExp.sigmoid(v[i]);
        }
    }
}
