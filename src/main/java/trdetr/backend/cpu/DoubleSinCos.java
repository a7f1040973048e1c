package trdetr.backend.cpu;

/**
 * sin x and cos x in double from double operations only (FMAs included), so the Vector API loop
 * ({@link VectorLoops#sinCos}) and this scalar form give the same bits on every machine and JVM: the float32 sine and
 * cosine of the CPU backend, which the position encodings take 0.6 million of a forward pass (interleaved sin/cos of
 * clip positions and of decoder anchors), at 10 to 20 ns each through {@code Math}.
 *
 * <p>Method: x = k·π/2 + r with k = round(x·2/π) (the rounding trick of {@link DoubleExp}) and π/2 split in three
 * parts, the first two with trailing zero bits, subtracted with FMAs, so r is accurate to an ulp for |x| up to
 * {@link #LIMIT}; |r| ≤ π/4 then. sin r and cos r by their Taylor polynomials (to r¹⁹ and r²⁰: truncation below 1e−19,
 * relative), and the quadrant k mod 4 picks ±sin r or ±cos r. Within 2 ulp of {@code Math.sin} and {@code Math.cos}
 * (DoubleSinCosTest). Beyond {@link #LIMIT} (and for ±∞), {@code Math}'s own, which reduces exactly.
 */
final class DoubleSinCos {
    private DoubleSinCos() {}

    /** |x| beyond which the three-part reduction is not trusted: {@code Math} takes over. */
    static final double LIMIT = 0x1p19;
    static final double TWO_OVER_PI = 0.6366197723675814;
    /** π/2 = P1 + P2 + P3: P1 and P2 with 33 significant bits (so k·P1, k·P2 are exact for |k| &lt; 2²⁰), P3 the rest. */
    static final double P1 = 0x1.921fb544p0, P2 = 0x1.0b4611a6p-34, P3 = 0x1.3198a2e037073p-69;
    /** sin r = r·(1 + r²·S(r²)), S's coefficients (−1)ⁱ/(2i+1)! for i = 1..9; cos r = 1 + r²·C(r²), (−1)ⁱ/(2i)! for i = 1..10. */
    static final double[] S = coefficients(1, 9), C = coefficients(0, 10);

    private static double[] coefficients(int odd, int count) {
        double[] c = new double[count + 1];
        for (int i = 1; i <= count; i++) {
            double f = 1;
            for (int j = 2; j <= 2 * i + odd; j++) f *= j;
            c[i] = (i % 2 == 0 ? 1.0 : -1.0) / f;
        }
        return c;
    }

    /** sin x; ±0 gives itself (the polynomial's r + r·(…) would round −0 to +0). */
    static double sin(double x) { return x == 0 ? x : Math.abs(x) <= LIMIT ? sinCos(x, false) : Math.sin(x); }

    static double cos(double x) { return Math.abs(x) <= LIMIT ? sinCos(x, true) : Math.cos(x); }

    /** sin x (or cos x) for |x| ≤ LIMIT or NaN: the reduction, both polynomials, then the quadrant's choice. */
    private static double sinCos(double x, boolean cosine) {
        double t = Math.fma(x, TWO_OVER_PI, DoubleExp.MAGIC);
        double k = t - DoubleExp.MAGIC;
        double r = Math.fma(k, -P1, x);
        r = Math.fma(k, -P2, r);
        r = Math.fma(k, -P3, r);
        double r2 = r * r;
        double s = S[9];
        for (int i = 8; i >= 1; i--) s = Math.fma(s, r2, S[i]);
        s = Math.fma(s * r2, r, r);
        double c = C[10];
        for (int i = 9; i >= 1; i--) c = Math.fma(c, r2, C[i]);
        c = Math.fma(c, r2, 1.0);
        long q = Double.doubleToRawLongBits(t) + (cosine ? 1 : 0);   // the quadrant in the low bits; cos x = sin(x + π/2)
        double v = (q & 1) == 0 ? s : c;
        return (q & 2) == 0 ? v : -v;
    }

    /** v[j] = sin v[j] (or cos) for j &lt; n. */
    static void apply(boolean cosine, double[] v, int n) {
        for (int j = 0; j < n; j++) v[j] = cosine ? cos(v[j]) : sin(v[j]);
    }
}
