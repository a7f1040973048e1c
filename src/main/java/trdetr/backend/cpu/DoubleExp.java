package trdetr.backend.cpu;

/**
 * e^x in double from double operations only (FMAs included), so the Vector API loop ({@link VectorLoops#exp}) and this
 * scalar form give the same bits on every machine and JVM: the exponential of the float32 softmax, and through it the
 * float32 sigmoid and tanh ({@link #sigmoid}, {@link #tanh}; the GRU's gates take 1.8 million of them a forward pass).
 *
 * <p>Why not {@code Math.exp}: it costs about 14 ns an element on Java 17 (4 ns on 25), and a forward pass of the
 * model takes some 7 million (the attention softmax over 75 keys); this runs in 512-bit lanes at well under 1 ns. Why
 * not the Vector API's own {@code EXP}: its implementation (SVML) is the JVM's to choose, so the bits could change with
 * the JDK. Why double and not float: the softmax then keeps the accuracy of its double formula (each output rounded
 * once to float from double terms); a float exponential with 2-ulp outputs took one attention weight gradient of the
 * verification to 12× the official float32 error.
 *
 * <p>Method (Cody and Waite, as fdlibm): x = k·ln 2 + r with k = round(x·log₂e) (adding 1.5·2⁵² rounds to an
 * integer, which then sits in the low mantissa bits), r = x − k·ln 2 in two FMA steps (ln 2 split as fdlibm does, so
 * k·LN2_HI is exact), |r| ≤ ln 2 / 2; e^r by its Taylor polynomial of degree 13 (truncation below 5e-18, relative)
 * in Horner form with FMAs; 2ᵏ built in the exponent bits. Within 2 ulp of Math.exp on [−708.3, 709.4] (DoubleExpTest
 * measures it); below −708.3 the result is 0 (e^x is subnormal there, far below float's range, where the softmax
 * rounds its outputs), above 709.4 +∞ (2ᵏ would leave
 * the exponent range; double itself overflows at 709.78, which the softmax, x ≤ 0, never nears); NaN stays NaN.
 */
final class DoubleExp {
    private DoubleExp() {}

    static final double LOG2E = 1.4426950408889634;
    /** 1.5·2⁵²: t = x·log₂e + MAGIC is rounded to an integer k, and t's bits are MAGIC's plus k. */
    static final double MAGIC = 0x1.8p52;
    static final double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
    /** t's bits minus this, shifted into the exponent field, are the bits of 2ᵏ. */
    static final long SCALE_BIAS = Double.doubleToRawLongBits(MAGIC) - 1023;
    static final double MIN_ARG = -708.3, MAX_ARG = 709.4;
    /** 1/i! for i = 2..13 (the Taylor coefficients of e^r after 1 + r). */
    static final double[] C = coefficients();

    private static double[] coefficients() {
        double[] c = new double[14];
        double f = 1;
        for (int i = 1; i < 14; i++) { f *= i; c[i] = 1.0 / f; }
        return c;
    }

    static double exp(double x) {
        double t = Math.fma(x, LOG2E, MAGIC);
        double r = reduced(x, t);
        double y = Math.fma(polynomial(r), r, 1.0) * powerOfTwo(t);
        if (x < MIN_ARG) y = 0;
        if (x > MAX_ARG) y = Double.POSITIVE_INFINITY;
        return y;
    }

    /** r = x − k·ln 2 in two FMA steps, k = t − MAGIC. */
    private static double reduced(double x, double t) {
        double k = t - MAGIC;
        return Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, x));
    }

    /** 1 + r·(1/2 + r·(1/6 + … + r/13!)): the Taylor polynomial of e^r but its leading 1, over r, in Horner form. */
    private static double polynomial(double r) {
        double p = C[13];
        for (int i = 12; i >= 2; i--) p = Math.fma(p, r, C[i]);
        return Math.fma(p, r, 1.0);
    }

    /** 2ᵏ from t = k + MAGIC, built in the exponent bits. */
    private static double powerOfTwo(double t) { return Double.longBitsToDouble((Double.doubleToRawLongBits(t) - SCALE_BIAS) << 52); }

    /** Beyond this |x|, tanh x is 1 in double (1 − tanh 22 ≈ 1.6e−19, under half an ulp of 1). */
    static final double TANH_ONE = 22;

    /** UnaryOp.sigmoid's formula (1/(1 + e^−x) for x ≥ 0, else e^x/(1 + e^x)) with this exponential. */
    static double sigmoid(double x) {
        double e = exp(-Math.abs(x));
        return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    }

    /**
     * tanh x = m/(m + 2) with m = e^{2|x|} − 1 from {@link #expm1}, 1 beyond {@link #TANH_ONE}, and the sign of x copied
     * on bit by bit (so −0 stays −0 and the vector form agrees): within a few ulp of Math.tanh (DoubleExpTest). Why not
     * 1 − 2/(e^{2|x|} + 1): near |x| = 0.2 the subtraction cancels, 8 ulp.
     */
    static double tanh(double x) {
        double a = Math.abs(x), m = expm1(a + a);
        double t = a > TANH_ONE ? 1.0 : m / (m + 2.0);
        return Double.longBitsToDouble(Double.doubleToRawLongBits(t) | (Double.doubleToRawLongBits(x) & Long.MIN_VALUE));
    }

    /**
     * e^x − 1 for 0 ≤ x ≤ {@link #MAX_ARG} without the cancellation of e^x − 1: with x = k·ln 2 + r as in {@link #exp},
     * 2ᵏ·(q·r) + (2ᵏ − 1), where q·r = e^r − 1 is the exponential's polynomial without its leading 1 (times r), and
     * 2ᵏ − 1 is exact.
     */
    static double expm1(double x) {
        double t = Math.fma(x, LOG2E, MAGIC);
        double r = reduced(x, t), scale = powerOfTwo(t);
        return Math.fma(scale, polynomial(r) * r, scale - 1.0);
    }

    /** v[j] = e^v[j] for j &lt; n. */
    static void exp(double[] v, int n) {
        for (int j = 0; j < n; j++) v[j] = exp(v[j]);
    }
}
