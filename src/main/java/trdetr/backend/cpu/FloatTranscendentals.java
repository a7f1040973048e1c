package trdetr.backend.cpu;

/**
 * The CPU's float32 sigmoid, tanh, sine and cosine, element-wise ({@link CpuElementwise}) and in the GRU's fused gates
 * ({@link CpuGru}): {@link DoubleExp#sigmoid}, {@link DoubleExp#tanh}, {@link DoubleSinCos#sin} and
 * {@link DoubleSinCos#cos} in double, each rounded once to float. Their double results are within a few ulp of the
 * {@code Math} formulas (DoubleExpTest, DoubleSinCosTest), so a float output differs from the {@code Math} one only
 * where that sliver straddles a float rounding boundary: about once in 10⁸ elements. Float64 keeps {@code Math}'s, the
 * reference.
 *
 * <p>Why: {@code Math.tanh} is fdlibm's, scalar, through {@code StrictMath.expm1}, and with {@code Math.exp} it took
 * most of the GRU's 65 ms a forward pass (1.8 million gates); the position encodings' 0.6 million sines and cosines
 * took 3% of a forward pass. These run in 512-bit double lanes ({@link VectorLoops}, the same bits as the scalar
 * forms) and give the same bits on every JVM, where {@code Math}'s may be intrinsics of the JDK's choosing.
 */
final class FloatTranscendentals {
    private FloatTranscendentals() {}

    enum Fn { SIGMOID, TANH, SIN, COS }

    /** Elements per pass through the double buffer. */
    private static final int CHUNK = 512;
    private static final ThreadLocal<double[]> BUFFER = ThreadLocal.withInitial(() -> new double[CHUNK]);

    /** y[yo + i·ys] = f(x[xo + i·xs]) for i &lt; n; y may be x. */
    static void apply(Fn f, float[] x, int xo, int xs, float[] y, int yo, int ys, int n) {
        double[] v = BUFFER.get();
        for (int c = 0; c < n; c += CHUNK) {
            int len = Math.min(CHUNK, n - c);
            for (int i = 0, q = xo + c * xs; i < len; i++, q += xs) v[i] = x[q];
            inPlace(f, v, len);
            for (int i = 0, p = yo + c * ys; i < len; i++, p += ys) y[p] = (float) v[i];
        }
    }

    /** v[i] = f(v[i]) for i &lt; n, in Vector API lanes where the module is loaded (the same bits either way). */
    static void inPlace(Fn f, double[] v, int n) {
        boolean lanes = VectorLoopGates.LOOPS && ((f != Fn.SIN && f != Fn.COS) || withinSinCosLimit(v, n));
        switch (f) {
            case SIGMOID: if (lanes) VectorLoops.sigmoid(v, n); else for (int i = 0; i < n; i++) v[i] = DoubleExp.sigmoid(v[i]); return;
            case TANH: if (lanes) VectorLoops.tanh(v, n); else for (int i = 0; i < n; i++) v[i] = DoubleExp.tanh(v[i]); return;
            default: if (lanes) VectorLoops.sinCos(f == Fn.COS, v, n); else DoubleSinCos.apply(f == Fn.COS, v, n);
        }
    }

    /** Whether no |v[i]| exceeds {@link DoubleSinCos#LIMIT} (the vector loop has no lanes for Math's wide reduction). */
    private static boolean withinSinCosLimit(double[] v, int n) {
        for (int i = 0; i < n; i++) if (Math.abs(v[i]) > DoubleSinCos.LIMIT) return false;
        return true;
    }
}
