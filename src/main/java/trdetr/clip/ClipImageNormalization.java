package trdetr.clip;

/**
 * RGB bytes to CLIP's input pixels, as the reference extractor's {@code Preprocessing} computes them in float32:
 * {@code v = byte / 255}, then {@code (v - mean[c]) / (std[c] + 1e-8)} with CLIP's mean and deviation. The constants
 * are Python floats rounded to float32 ({@code torch.FloatTensor}), and every step is one float32 operation in the
 * reference's order, so the pixels are the reference's bit for bit. (The {@code + 1e-8} is the reference's and, in
 * float32, changes none of the three deviations.)
 */
public final class ClipImageNormalization {
    /** CLIP's per-channel mean and deviation (OpenAI's preprocessing), as Python floats. */
    static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
    static final double[] STD = {0.26862954, 0.26130258, 0.27577711};

    private static final float[] MEAN32 = new float[3];
    private static final float[] DIVISOR32 = new float[3];

    static {
        for (int c = 0; c < 3; c++) {
            MEAN32[c] = (float) MEAN[c];
            DIVISOR32[c] = (float) STD[c] + (float) 1e-8;
        }
    }

    private ClipImageNormalization() {}

    /**
     * {@code frames} RGB frames ({@code size × size × 3} bytes each, row-major, channels last) to CLIP's input layout,
     * channels first: element (f, c, y, x) at {@code ((f * 3 + c) * size + y) * size + x}.
     */
    public static float[] normalize(byte[] rgb, int frames, int size) {
        int plane = size * size;
        if (rgb.length < (long) frames * plane * 3) throw new IllegalArgumentException("rgb holds " + rgb.length / (plane * 3) + " frames, not " + frames);
        float[] out = new float[frames * 3 * plane];
        for (int f = 0; f < frames; f++) {
            int src = f * plane * 3;
            for (int c = 0; c < 3; c++) {
                float mean = MEAN32[c], div = DIVISOR32[c];
                int dst = (f * 3 + c) * plane;
                for (int i = 0; i < plane; i++) {
                    float v = (rgb[src + 3 * i + c] & 0xff) / 255f;
                    out[dst + i] = (v - mean) / div;
                }
            }
        }
        return out;
    }
}
