package trdetr.ops;

import trdetr.autograd.Autograd;
import trdetr.backend.Backend.LayerNormGrads;
import trdetr.backend.Backend.LayerNormResult;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/** Softmax, log-softmax, layer norm and L2 normalisation. */
public final class Normalization {
    private Normalization() {}

    /**
     * Softmax or log-softmax along an axis. Masks are applied by the caller: add an additive mask, or
     * {@code maskedFill(mask, -inf)}. A row that is entirely -inf gives zeros (PyTorch would give NaN).
     */
    public static Tensor softmax(Tensor x, int axis, boolean log) {
        String name = log ? "log_softmax" : "softmax";
        Elementwise.requireFloat(name, x);
        int ax = Shape.axis(name, axis, x.rank());
        int last = x.rank() - 1;
        if (ax != last) return softmax(x.transpose(ax, last), last, log).transpose(ax, last);
        Tensor y = x.backend().softmax(x, log);
        return Autograd.record(name, y, (g, needs) -> new Tensor[] {x.backend().softmaxBackward(y, g, log)}, x);
    }

    /** softmax over the last axis with positions where padMask is true excluded (set to -inf first). */
    public static Tensor maskedSoftmax(Tensor x, Tensor padMask, int axis) {
        return softmax(x.maskedFill(padMask, Double.NEGATIVE_INFINITY), axis, false);
    }

    /** torch.nn.functional.layer_norm over the last axis (biased variance), with a fused backward. */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        Elementwise.requireFloat("layer_norm", x);
        int n = x.size(-1);
        if (gamma.rank() != 1 || gamma.size(0) != n || beta.rank() != 1 || beta.size(0) != n) {
            throw new IllegalArgumentException("layer_norm: input " + Shape.str(x.shape()) + " needs weight and bias of shape [" + n
                    + "], got " + Shape.str(gamma.shape()) + " and " + Shape.str(beta.shape()));
        }
        LayerNormResult r = x.backend().layerNorm(x, gamma, beta, eps);
        Tensor mean = r.mean(), rstd = r.rstd();
        return Autograd.record("layer_norm", r.y(), (g, needs) -> {
            LayerNormGrads d = x.backend().layerNormBackward(g, x, gamma, mean, rstd);
            return new Tensor[] {d.dx(), d.dgamma(), d.dbeta()};
        }, x, gamma, beta);
    }

    /**
     * The L2 norm along an axis. Its gradient x/‖x‖ is taken as 0 where the norm is 0, as PyTorch's norm does,
     * so zero (padding) rows do not turn into NaN.
     */
    public static Tensor norm(Tensor x, int axis, boolean keepDim) {
        Tensor n;
        try (var ignored = trdetr.autograd.GradMode.noGrad()) {
            n = x.mul(x).sum(axis, true).sqrt();
        }
        int ax = Shape.axis("norm", axis, x.rank());
        Tensor kept = n;
        Tensor y = keepDim ? n : n.squeeze(ax).contiguousCopy();
        return Autograd.record("norm", y, (g, needs) -> {
            Tensor gk = keepDim ? g : g.unsqueeze(ax);
            Tensor safe = kept.where(kept.gt(0.0), kept.scalarLike(1.0));
            return new Tensor[] {gk.mul(x).div(safe).mul(kept.gt(0.0).to(x.dtype()))};
        }, x);
    }

    /** torch.nn.functional.normalize: x / max(‖x‖, eps) along an axis. */
    public static Tensor l2Normalize(Tensor x, int axis, double eps) {
        return x.div(norm(x, axis, true).clampMin(eps));
    }
}
