package trdetr.data;

/**
 * Temporal endpoint features (TEF, spec §5.2): for clip i of L, the normalised start and end (i/L, i/L + 1/L),
 * computed in float32 as the official torch code does ({@code arange(0, L, 1.0) / L}, then {@code + 1.0/L} with the
 * scalar rounded to float32).
 */
public final class TemporalEndpointFeatures {
    private TemporalEndpointFeatures() {}

    public static FloatMatrix of(int length) {
        float[] data = new float[2 * length];
        float step = (float) (1.0 / length);
        for (int i = 0; i < length; i++) {
            float st = (float) i / (float) length;
            data[2 * i] = st;
            data[2 * i + 1] = st + step;
        }
        return new FloatMatrix(length, 2, data);
    }

    /** The features with the two TEF columns appended. */
    public static FloatMatrix append(FloatMatrix features) {
        return FloatMatrix.hconcat(java.util.List.of(features, of(features.rows())));
    }
}
