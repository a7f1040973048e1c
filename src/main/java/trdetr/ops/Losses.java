package trdetr.ops;

import trdetr.autograd.Autograd;
import trdetr.autograd.GradMode;
import trdetr.backend.LossKernels.PairGrads;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/**
 * The loss primitives TR-DETR's criterion is built from, each as PyTorch defines it. Each is one autograd op whose
 * forward and backward are backend kernels ({@link trdetr.backend.LossKernels}: the composed reference on the CPU,
 * one fused kernel per direction on CUDA); the means around them are ordinary reductions.
 */
public final class Losses {
    private Losses() {}

    /** F.cross_entropy(logits (N, C), target (N) int64), mean over N; logits may be a view (VTC passes a transpose). */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        if (logits.rank() != 2 || target.rank() != 1 || target.size(0) != logits.size(0)) {
            throw new IllegalArgumentException("cross_entropy: logits " + Shape.str(logits.shape()) + " and target " + Shape.str(target.shape())
                    + " must be (N, C) and (N)");
        }
        Elementwise.requireFloat("cross_entropy", logits);
        Elementwise.requireSameDevice("cross_entropy", logits, target);
        if (target.dtype() != DType.INT64) throw new IllegalArgumentException("cross_entropy: target must be int64, got " + target.dtype());
        Tensor perRow = logits.backend().crossEntropy(logits, target);
        return Autograd.record("cross_entropy", perRow,
                (g, needs) -> new Tensor[] {logits.backend().crossEntropyBackward(g, logits, target)}, logits).mean();
    }

    /**
     * F.binary_cross_entropy_with_logits without reduction: max(x,0) − x·t + log(1 + e^−|x|), broadcasting x and t,
     * with PyTorch's gradients (σ(x) − t)·g for x and −x·g for t (a composite would give the wrong gradient at x = 0).
     */
    public static Tensor bceWithLogits(Tensor x, Tensor t) {
        String name = "binary_cross_entropy_with_logits";
        Tensor[] b = broadcastPair(name, x, t);
        Tensor y = x.backend().bceWithLogits(b[0], b[1]);
        Tensor tt = b[2];
        return Autograd.record(name, y, (g, needs) -> {
            PairGrads d = x.backend().bceWithLogitsBackward(g, b[0], b[1]);
            return new Tensor[] {needs[0] ? d.da().sumTo(x.shape()) : null, needs[1] ? d.db().sumTo(tt.shape()) : null};
        }, x, tt);
    }

    /**
     * torchvision-style sigmoid focal loss per element: α_t · BCE(x, t) · (1 − p_t)^γ (α &lt; 0: no α_t). The targets
     * are labels: no gradient reaches them, and one that requires grad is refused rather than silently ignored.
     */
    public static Tensor sigmoidFocal(Tensor x, Tensor t, double alpha, double gamma) {
        String name = "sigmoid_focal_loss";
        if (t.requiresGrad() && GradMode.isEnabled()) {
            throw new IllegalArgumentException(name + ": the targets take no gradient; detach them");
        }
        Tensor[] b = broadcastPair(name, x, t);
        Tensor y = x.backend().sigmoidFocal(b[0], b[1], alpha, gamma);
        return Autograd.record(name, y,
                (g, needs) -> new Tensor[] {x.backend().sigmoidFocalBackward(g, b[0], b[1], alpha, gamma).sumTo(x.shape())}, x);
    }

    /** F.l1_loss, mean over all elements (a and b broadcast). */
    public static Tensor l1(Tensor a, Tensor b) {
        String name = "l1_loss";
        Tensor[] v = broadcastPair(name, a, b);
        Tensor bb = v[2];
        Tensor y = a.backend().l1(v[0], v[1]);
        return Autograd.record(name, y, (g, needs) -> {
            PairGrads d = a.backend().l1Backward(g, v[0], v[1]);
            return new Tensor[] {needs[0] ? d.da().sumTo(a.shape()) : null, needs[1] ? d.db().sumTo(bb.shape()) : null};
        }, a, bb).mean();
    }

    /** {a, b} as views of their broadcast shape (for the kernels), then b in a's dtype (for the record). */
    private static Tensor[] broadcastPair(String name, Tensor a, Tensor b) {
        Elementwise.requireFloat(name, a);
        Elementwise.requireSameDevice(name, a, b);
        b = Elementwise.matchDtype(name, a, b);
        int[] shape = Shape.broadcast(name, a.shape(), b.shape());
        return new Tensor[] {Views.broadcastView(a, shape), Views.broadcastView(b, shape), b};
    }

    /** (center, width) → (start, end) along the last axis. */
    public static Tensor cxwToXx(Tensor cxw) {
        Tensor c = cxw.slice(-1, 0, 1), w = cxw.slice(-1, 1, 2);
        return Tensor.cat(java.util.List.of(c.sub(w.mul(0.5)), c.add(w.mul(0.5))), -1);
    }

    /**
     * Pairwise generalized temporal IoU of spans (N, 2) and (M, 2) in (start, end) form → (N, M):
     * IoU − (hull − union)/hull, differentiated through the official code's maximum/minimum/clamp structure so the
     * gradients match it, ties included ({@link trdetr.backend.LossKernels#temporalGiou}).
     */
    public static Tensor generalizedTemporalIou(Tensor a, Tensor b) {
        String name = "generalized_temporal_iou";
        requireSpans(name, a);
        requireSpans(name, b);
        Elementwise.requireSameDevice(name, a, b);
        Tensor bb = Elementwise.matchDtype(name, a, b);
        Tensor y = a.backend().temporalGiou(a.detach(), bb.detach());
        return Autograd.record(name, y, (g, needs) -> {
            PairGrads d = a.backend().temporalGiouBackward(g, a.detach(), bb.detach());
            return new Tensor[] {needs[0] ? d.da() : null, needs[1] ? d.db() : null};
        }, a, bb);
    }

    private static void requireSpans(String op, Tensor s) {
        if (s.rank() != 2 || s.size(1) != 2) throw new IllegalArgumentException(op + ": spans must have shape (N, 2), got " + Shape.str(s.shape()));
        if (s.dtype() == DType.BOOL || s.dtype() == DType.INT64) throw new IllegalArgumentException(op + ": spans must be float, got " + s.dtype());
    }
}
