package trdetr.io;

/**
 * IEEE binary16 (half precision), the one conversion the project has: .npy/safetensors/torch float16 storage is read
 * and written with it, and the evaluator rounds saliency scores with it as the official code's {@code .half()} does
 * ({@link trdetr.pyexact.Float16}). ({@code Float.float16ToFloat} and {@code floatToFloat16} only arrived in Java 20.)
 */
public final class Half {
    private Half() {}

    /** IEEE binary16 bits to float (exact). */
    public static float toFloat(short h) {
        int sign = (h >>> 15) & 1;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        int bits = exp == 31 ? 0x7f800000 | (mant << 13) : ((exp + 112) << 23) | (mant << 13);
        return Float.intBitsToFloat((sign << 31) | bits);
    }

    /** float to IEEE binary16 bits, rounding to nearest even (overflow gives infinity, NaN stays NaN). */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        int e = exp - 127 + 15;
        if (e >= 31) return (short) (sign | 0x7c00);
        if (e <= 0) {
            if (e < -10) return (short) sign;
            int m = mant | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (half & 1) != 0)) half++;
            return (short) (sign | half);
        }
        int h = sign | (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) h++;
        return (short) h;
    }
}
