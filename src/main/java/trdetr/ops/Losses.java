package trdetr.ops;

import trdetr.autograd.Autograd;
import trdetr.autograd.GradMode;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/** The loss primitives TR-DETR's criterion is built from, each as PyTorch defines it. */
public final class Losses {
    private Losses() {}

    /** F.cross_entropy(logits (N, C), target (N) int64), mean over N. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        if (logits.rank() != 2 || target.rank() != 1 || target.size(0) != logits.size(0)) {
            throw new IllegalArgumentException("cross_entropy: logits " + Shape.str(logits.shape()) + " and target " + Shape.str(target.shape())
                    + " must be (N, C) and (N)");
        }
        return logits.logSoftmax(1).gather(1, target.unsqueeze(1)).mean().neg();
    }

    /**
     * F.binary_cross_entropy_with_logits without reduction: max(x,0) − x·t + log(1 + e^−|x|), with PyTorch's
     * gradients (σ(x) − t)·g for x and −x·g for t (a composite would give the wrong gradient at x = 0).
     */
    public static Tensor bceWithLogits(Tensor x, Tensor t) {
        t = Elementwise.matchDtype("binary_cross_entropy_with_logits", x, t);
        int[] shape = Shape.broadcast("binary_cross_entropy_with_logits", x.shape(), t.shape());
        Tensor y;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            y = x.relu().sub(x.mul(t)).add(x.abs().neg().exp().log1p()).expand(shape).contiguous();
        }
        final Tensor tt = t;
        return Autograd.record("binary_cross_entropy_with_logits", y, (g, needs) -> new Tensor[] {
                needs[0] ? g.mul(x.sigmoid().sub(tt)).sumTo(x.shape()) : null,
                needs[1] ? g.mul(x).neg().sumTo(tt.shape()) : null}, x, t);
    }

    /** torchvision-style sigmoid focal loss per element: α_t · BCE(x, t) · (1 − p_t)^γ. */
    public static Tensor sigmoidFocal(Tensor x, Tensor t, double alpha, double gamma) {
        Tensor p = x.sigmoid();
        Tensor ce = bceWithLogits(x, t);
        Tensor pt = p.mul(t).add(p.rsub(1.0).mul(t.rsub(1.0)));
        Tensor loss = ce.mul(pt.rsub(1.0).pow(gamma));
        if (alpha >= 0) loss = t.mul(alpha).add(t.rsub(1.0).mul(1.0 - alpha)).mul(loss);
        return loss;
    }

    /** F.l1_loss, mean over all elements. */
    public static Tensor l1(Tensor a, Tensor b) { return a.sub(b).abs().mean(); }

    /** (center, width) → (start, end) along the last axis. */
    public static Tensor cxwToXx(Tensor cxw) {
        Tensor c = cxw.slice(-1, 0, 1), w = cxw.slice(-1, 1, 2);
        return Tensor.cat(java.util.List.of(c.sub(w.mul(0.5)), c.add(w.mul(0.5))), -1);
    }

    /**
     * Pairwise generalized temporal IoU of spans (N, 2) and (M, 2) in (start, end) form → (N, M):
     * IoU − (hull − union)/hull, written with the same maximum/minimum/clamp structure as the official code so the
     * gradients match it, ties included.
     */
    public static Tensor generalizedTemporalIou(Tensor a, Tensor b) {
        requireSpans("generalized_temporal_iou", a);
        requireSpans("generalized_temporal_iou", b);
        Tensor a0 = a.slice(1, 0, 1), a1 = a.slice(1, 1, 2);               // (N, 1)
        Tensor b0 = b.select(1, 0).unsqueeze(0), b1 = b.select(1, 1).unsqueeze(0); // (1, M)
        Tensor areaA = a1.sub(a0), areaB = b1.sub(b0);
        Tensor inter = a1.minimum(b1).sub(a0.maximum(b0)).clampMin(0.0);
        Tensor union = areaA.add(areaB).sub(inter);
        Tensor iou = inter.div(union);
        Tensor hull = a1.maximum(b1).sub(a0.minimum(b0)).clampMin(0.0);
        return iou.sub(hull.sub(union).div(hull));
    }

    private static void requireSpans(String op, Tensor s) {
        if (s.rank() != 2 || s.size(1) != 2) throw new IllegalArgumentException(op + ": spans must have shape (N, 2), got " + Shape.str(s.shape()));
        if (s.dtype() == DType.BOOL || s.dtype() == DType.INT64) throw new IllegalArgumentException(op + ": spans must be float, got " + s.dtype());
    }
}
