package trdetr.backend;

import trdetr.autograd.GradMode;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The loss primitives of TR-DETR's criterion as backend kernels, forward and backward, so a device can run each as
 * one fused kernel instead of a chain of element-wise launches ({@link Backend} extends this). The defaults compose
 * the element-wise kernels and are the reference semantics: the CPU runs them, and their forwards are exactly the
 * chains the criterion was first written with, so its numbers did not move when the primitives became kernels.
 *
 * <p>Element-wise operands have one shape (the ops in {@code trdetr.ops.Losses} broadcast them first) and may be any
 * strided views; the backward methods take the output gradient g in the output's shape and return gradients in it
 * too (the caller sums them back over broadcast axes). No method records autograd history.
 */
public interface LossKernels {
    /** The gradients of a two-operand primitive: of its first operand (da) and of its second (db), in argument order. */
    record PairGrads(Tensor da, Tensor db) {}

    /** binary_cross_entropy_with_logits per element: max(x, 0) − x·t + log(1 + e^−|x|). */
    default Tensor bceWithLogits(Tensor x, Tensor t) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            return x.relu().sub(x.mul(t)).add(x.abs().neg().exp().log1p());
        }
    }

    /** PyTorch's gradients of {@link #bceWithLogits}: g·(σ(x) − t) for x, −g·x for t (not the composite's, wrong at x = 0). */
    default PairGrads bceWithLogitsBackward(Tensor g, Tensor x, Tensor t) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            return new PairGrads(g.mul(x.sigmoid().sub(t)), g.mul(x).neg());
        }
    }

    /**
     * torchvision's sigmoid focal loss per element: α_t·BCE(x, t)·(1 − p_t)^γ with p = σ(x), p_t = p·t + (1 − p)(1 − t),
     * α_t = α·t + (1 − α)(1 − t); α &lt; 0 leaves α_t out.
     */
    default Tensor sigmoidFocal(Tensor x, Tensor t, double alpha, double gamma) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor p = x.sigmoid();
            Tensor pt = p.mul(t).add(p.rsub(1.0).mul(t.rsub(1.0)));
            Tensor loss = bceWithLogits(x, t).mul(pt.rsub(1.0).pow(gamma));
            return alpha >= 0 ? alphaT(t, alpha).mul(loss) : loss;
        }
    }

    /**
     * The x-gradient of {@link #sigmoidFocal} (targets are labels: none for t). With m = 1 − p_t and BCE's
     * d/dx = p − t: g·α_t·((p − t)·m^γ + BCE·γ·m^(γ−1)·dm/dx), dm/dx = p(1 − p)(1 − 2t); the second term is left
     * out for γ = 0 (it would be 0·∞ where m = 0).
     */
    default Tensor sigmoidFocalBackward(Tensor g, Tensor x, Tensor t, double alpha, double gamma) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor p = x.sigmoid(), q = p.rsub(1.0);
            Tensor m = p.mul(t).add(q.mul(t.rsub(1.0))).rsub(1.0);
            Tensor slope = p.sub(t).mul(m.pow(gamma));
            if (gamma != 0) {
                Tensor dm = p.mul(q).mul(t.mul(-2.0).add(1.0));
                slope = slope.add(bceWithLogits(x, t).mul(m.pow(gamma - 1).mul(gamma)).mul(dm));
            }
            return g.mul(alpha >= 0 ? alphaT(t, alpha).mul(slope) : slope);
        }
    }

    private static Tensor alphaT(Tensor t, double alpha) { return t.mul(alpha).add(t.rsub(1.0).mul(1.0 - alpha)); }

    /**
     * F.cross_entropy without reduction: −log_softmax(logits)[n, target[n]] for logits (N, C), any 2-D view, and
     * target (N) INT64 in [0, C) → (N). A row that is entirely -inf gives +inf.
     */
    default Tensor crossEntropy(Tensor logits, Tensor target) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            return logits.logSoftmax(1).gather(1, target.unsqueeze(1)).squeeze(1).neg();
        }
    }

    /**
     * The logits gradient of {@link #crossEntropy} for the per-row gradient g (N): g·(softmax(logits) − onehot(target)),
     * composed as the chain's backward runs it (scatter −g to the targets, then log-softmax's backward), so it is 0
     * wherever a logit is -inf.
     */
    default Tensor crossEntropyBackward(Tensor g, Tensor logits, Tensor target) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor logp = logits.logSoftmax(1);
            Tensor picked = logp.backend().scatterAdd(logp.shape(), 1, target.unsqueeze(1).contiguous(), g.neg().unsqueeze(1));
            return logp.backend().softmaxBackward(logp, picked, true);
        }
    }

    /** |a − b| per element (F.l1_loss without reduction). */
    default Tensor l1(Tensor a, Tensor b) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            return a.sub(b).abs();
        }
    }

    /** g·sign(a − b) for a, −g·sign(a − b) for b: sign(0) = 0, as PyTorch's abs. */
    default PairGrads l1Backward(Tensor g, Tensor a, Tensor b) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor ga = g.mul(a.sub(b).sign());
            return new PairGrads(ga, ga.neg());
        }
    }

    /**
     * Pairwise generalized temporal IoU of spans a (N, 2) and b (M, 2), (start, end), any 2-D views → (N, M):
     * inter = max(0, min(a1, b1) − max(a0, b0)), union = (a1 − a0) + (b1 − b0) − inter,
     * hull = max(0, max(a1, b1) − min(a0, b0)), gIoU = inter/union − (hull − union)/hull (spec §4.1).
     */
    default Tensor temporalGiou(Tensor a, Tensor b) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor a0 = a.slice(1, 0, 1), a1 = a.slice(1, 1, 2);                         // (N, 1)
            Tensor b0 = b.select(1, 0).unsqueeze(0), b1 = b.select(1, 1).unsqueeze(0);   // (1, M)
            Tensor inter = a1.minimum(b1).sub(a0.maximum(b0)).clampMin(0.0);
            Tensor union = a1.sub(a0).add(b1.sub(b0)).sub(inter);
            Tensor hull = a1.maximum(b1).sub(a0.minimum(b0)).clampMin(0.0);
            return inter.div(union).sub(hull.sub(union).div(hull));
        }
    }

    /**
     * da (N, 2) and db (M, 2) from g (N, M): the chain rule through {@link #temporalGiou}'s min/max/clamp structure with
     * PyTorch's conventions, so the gradients are the official code's, ties included (minimum and maximum split a
     * tie's gradient evenly; clamp_min passes it at the bound).
     */
    default PairGrads temporalGiouBackward(Tensor g, Tensor a, Tensor b) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor a0 = a.slice(1, 0, 1), a1 = a.slice(1, 1, 2);
            Tensor b0 = b.select(1, 0).unsqueeze(0), b1 = b.select(1, 1).unsqueeze(0);
            Tensor interRaw = a1.minimum(b1).sub(a0.maximum(b0)), inter = interRaw.clampMin(0.0);
            Tensor union = a1.sub(a0).add(b1.sub(b0)).sub(inter);
            Tensor hullRaw = a1.maximum(b1).sub(a0.minimum(b0)), hull = hullRaw.clampMin(0.0);
            Tensor gUnion = g.div(hull).sub(g.mul(inter).div(union.mul(union)));
            Tensor gInter = g.div(union).sub(gUnion).mul(passes(interRaw));
            Tensor gHull = g.mul(union).div(hull.mul(hull)).neg().mul(passes(hullRaw));
            Tensor da1 = gUnion.add(gInter.mul(minShare(a1, b1))).add(gHull.mul(minShare(b1, a1)));
            Tensor db1 = gUnion.add(gInter.mul(minShare(b1, a1))).add(gHull.mul(minShare(a1, b1)));
            Tensor da0 = gUnion.add(gInter.mul(minShare(b0, a0))).add(gHull.mul(minShare(a0, b0))).neg();
            Tensor db0 = gUnion.add(gInter.mul(minShare(a0, b0))).add(gHull.mul(minShare(b0, a0))).neg();
            int n = a.size(0), m = b.size(0);
            return new PairGrads(Tensor.cat(java.util.List.of(da0.sumTo(n, 1), da1.sumTo(n, 1)), 1),
                    Tensor.cat(java.util.List.of(db0.sumTo(1, m), db1.sumTo(1, m)), 0).mT().contiguous());
        }
    }

    /** The share of min(u, v)'s gradient that reaches u: 1 where u is smaller, ½ on a tie (for max, swap u and v). */
    private static Tensor minShare(Tensor u, Tensor v) {
        DType t = u.dtype();
        return u.lt(v).to(t).add(u.eq(v).to(t).mul(0.5));
    }

    /** Where clamp_min(·, 0) passes its gradient: at and above the bound. */
    private static Tensor passes(Tensor raw) { return raw.ge(0.0).to(raw.dtype()); }
}
