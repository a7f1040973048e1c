package trdetr.pyexact;

import trdetr.io.Half;

/**
 * Rounding a float32 to IEEE half precision, as {@code tensor.half()} does before the official code writes saliency
 * scores ({@code outputs["saliency_scores"].half().tolist()}). The fp16 grid makes ties between clips common, and
 * the highlight metrics depend on those ties, so the rounding has to be bit-exact: round to nearest, ties to even,
 * subnormals down to 2^-24, overflow to infinity from 65520 on, NaN kept, sign of zero kept.
 * The bits come from the project's one conversion, {@link Half}.
 */
public final class Float16 {
    private Float16() {}

    /** x rounded to the nearest half-precision value, returned as the (exactly representable) float. */
    public static float round(float x) {
        return Float.isNaN(x) ? x : Half.toFloat(Half.fromFloat(x));   // NaN as it came (its payload kept)
    }

    /** {@code float(torch.tensor(x).half())}: the half-precision value of x as a double. */
    public static double roundToDouble(float x) {
        return round(x);
    }
}
