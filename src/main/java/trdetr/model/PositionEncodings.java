package trdetr.model;

import java.util.List;
import trdetr.tensor.Tensor;

/** The fixed sine encodings: of clip positions (spec §2.3) and of decoder anchors (spec §2.8 step 2). */
public final class PositionEncodings {
    private PositionEncodings() {}

    /**
     * PositionEmbeddingSine(num_pos_feats = d, normalize = true, scale 2π) of a video valid mask (B, Lv):
     * x = cumsum(mask) / (last + 1e-6) · 2π, then interleaved sin/cos of x / 10000^(2⌊i/2⌋/d) → (B, Lv, d).
     */
    public static Tensor video(Tensor validMask, int d) {
        Tensor x = validMask.cumsum(1);
        int lv = x.size(1);
        x = x.div(x.slice(1, lv - 1, lv).add(1e-6)).mul(2 * Math.PI);
        return interleavedSine(x, d, 10000.0);
    }

    /**
     * gen_sineembed_for_position: for anchors (Q, B, 2) in (center, width), 128 interleaved sin/cos features of each
     * coordinate·2π / 10000^(2⌊i/2⌋/128), center then width → (Q, B, 256).
     */
    public static Tensor anchors(Tensor anchors) {
        Tensor center = anchors.select(2, 0).mul(2 * Math.PI);
        Tensor width = anchors.select(2, 1).mul(2 * Math.PI);
        return Tensor.cat(List.of(interleavedSine(center, 128, 10000.0), interleavedSine(width, 128, 10000.0)), 2);
    }

    /** x (..., L) → (..., L, n): feature 2j is sin(x / t^(2j/n)), feature 2j+1 is cos(x / t^(2j/n)). */
    static Tensor interleavedSine(Tensor x, int n, double temperature) {
        double[] inv = new double[n];
        for (int i = 0; i < n; i++) inv[i] = 1.0 / Math.pow(temperature, 2.0 * (i / 2) / n);
        Tensor scaled = x.unsqueeze(-1).mul(Tensor.of(inv, n).to(x.dtype()));   // (..., L, n)
        int[] half = scaled.shape();
        half[half.length - 1] = n / 2;
        // Even features take sin, odd take cos; evaluate both and pick, then interleave by stacking pairs.
        Tensor pairs = scaled.reshape(concat(half, 2));                            // (..., L, n/2, 2)
        Tensor s = pairs.select(-1, 0).sin(), c = pairs.select(-1, 1).cos();
        return Tensor.stack(List.of(s, c), -1).reshape(scaled.shape());
    }

    private static int[] concat(int[] a, int last) {
        int[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = last;
        return r;
    }
}
