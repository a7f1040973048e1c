package trdetr.eval;

/**
 * Rounding a float32 to IEEE half precision, as {@code tensor.half()} does before the official code writes saliency
 * scores ({@code outputs["saliency_scores"].half().tolist()}). The fp16 grid makes ties between clips common, and
 * the highlight metrics depend on those ties, so the rounding has to be bit-exact: round to nearest, ties to even,
 * subnormals down to 2^-24, overflow to infinity from 65520 on, NaN kept, sign of zero kept.
 * ({@code Float.floatToFloat16} only arrived in Java 20.)
 */
public final class Float16 {
    private Float16() {}

    /** The largest finite half-precision value. */
    public static final float MAX_VALUE = 65504f;
    private static final int MIN_NORMAL_EXPONENT = -14;
    private static final int MANTISSA_BITS = 10;

    /** x rounded to the nearest half-precision value, returned as the (exactly representable) float. */
    public static float round(float x) {
        if (Float.isNaN(x) || Float.isInfinite(x) || x == 0) return x;
        // The spacing of fp16 values around x: 2^(e-10) for normal values, 2^-24 below the normal range.
        int e = Math.max(Math.getExponent(x), MIN_NORMAL_EXPONENT);
        double quantum = Math.scalb(1.0, e - MANTISSA_BITS);
        // x / quantum is exact in double (a float scaled by a power of two), so rint is the only rounding.
        double r = Math.rint(x / quantum) * quantum;
        if (Math.abs(r) > MAX_VALUE) return x > 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        if (r == 0) return x > 0 ? 0f : -0f;
        return (float) r;
    }

    /** {@code float(torch.tensor(x).half())}: the half-precision value of x as a double. */
    public static double roundToDouble(float x) {
        return round(x);
    }
}
