package trdetr.ops;

import java.util.Arrays;
import trdetr.autograd.Autograd;
import trdetr.autograd.GradMode;
import trdetr.backend.Backend.AttentionGrads;
import trdetr.backend.Backend.AttentionResult;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/**
 * The attention core as one op: dropout(softmax(q·kᵀ masked with -inf))·v over N independent heads, computed by
 * {@link trdetr.backend.Backend#attention} (fused on devices that have a kernel for it) and differentiated by
 * {@link trdetr.backend.Backend#attentionBackward}. Its result equals the composition matmul → masked_fill → softmax →
 * {@link Dropout} → matmul, including the dropout mask: the seed and offset are drawn from the generator exactly as
 * {@link Dropout#apply} draws them, so a training run gives the same numbers whichever path computed it.
 */
public final class Attention {
    private Attention() {}

    /**
     * The attended values and what is needed to show the weights: the probabilities before dropout, and the dropout
     * that was applied to them.
     */
    public record Result(Tensor output, Tensor probsBeforeDropout, double dropout, long seed, long offset) {
        /** The weights that multiplied v (after dropout), without autograd history (they are for inspection). */
        public Tensor weights() {
            Tensor p = probsBeforeDropout;
            if (p == null) throw new IllegalStateException("attention: the weights were not kept (apply with keepWeights, or with a gradient)");
            return dropout > 0 ? p.backend().dropout(p, dropout, seed, offset) : p;
        }
    }

    /**
     * @param q    (N, Lq, d), already scaled; @param k (N, Lk, d); @param v (N, Lk, dv): strided views welcome
     * @param mask BOOL (B, h, Lq, Lk) with B·h = N, true = masked (broadcast views welcome), or null
     * @param p    the dropout probability, applied only when training (as {@link Dropout#apply})
     */
    public static Result apply(Tensor q, Tensor k, Tensor v, Tensor mask, double p, boolean training, Generator gen) {
        return apply(q, k, v, mask, p, training, gen, true);
    }

    /**
     * As {@link #apply(Tensor, Tensor, Tensor, Tensor, double, boolean, Generator)}; with {@code keepWeights} false and
     * no gradient to compute (autograd off, or no operand requiring one), the probabilities are not kept: the device
     * need not store them (the CPU then keeps each head's in a scratch block), and the result's weights are absent.
     * The output is the same either way, bit for bit, and the generator advances the same.
     */
    public static Result apply(Tensor q, Tensor k, Tensor v, Tensor mask, double p, boolean training, Generator gen, boolean keepWeights) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout: probability must be in [0, 1], got " + p);
        checkShapes(q, k, v, mask);
        int n = q.size(0), lq = q.size(1), lk = k.size(1);
        double rate = training ? p : 0;
        long seed = 0, offset = 0;
        // As Dropout.apply: no draw when nothing is dropped or everything is (p = 1 zeroes without a mask).
        if (rate > 0 && rate < 1) {
            seed = gen.seed();
            offset = gen.reserve((long) n * lq * lk);
        }
        boolean gradient = GradMode.isEnabled() && (q.requiresGrad() || k.requiresGrad() || v.requiresGrad());
        if (!keepWeights && !gradient) return new Result(q.backend().attentionOutput(q, k, v, mask, rate, seed, offset), null, rate, seed, offset);
        AttentionResult r = q.backend().attention(q, k, v, mask, rate, seed, offset);
        Tensor probs = r.probs();
        final long s = seed, o = offset;
        Tensor out = Autograd.record("attention", r.output(), (g, needs) -> {
            AttentionGrads d = g.backend().attentionBackward(g, q, k, v, probs, rate, s, o);
            return new Tensor[] {needs[0] ? d.dq() : null, needs[1] ? d.dk() : null, needs[2] ? d.dv() : null};
        }, q, k, v);
        return new Result(out, probs, rate, seed, offset);
    }

    private static void checkShapes(Tensor q, Tensor k, Tensor v, Tensor mask) {
        Elementwise.requireSameDevice("attention", q, k);
        Elementwise.requireSameDevice("attention", q, v);
        Elementwise.requireFloat("attention", q);
        if (k.dtype() != q.dtype() || v.dtype() != q.dtype()) {
            throw new IllegalArgumentException("attention: dtypes differ (" + q.dtype() + ", " + k.dtype() + ", " + v.dtype() + ")");
        }
        if (q.rank() != 3 || k.rank() != 3 || v.rank() != 3 || k.size(0) != q.size(0) || v.size(0) != q.size(0)
                || k.size(2) != q.size(2) || v.size(1) != k.size(1)) {
            throw new IllegalArgumentException("attention: query " + Shape.str(q.shape()) + ", key " + Shape.str(k.shape())
                    + " and value " + Shape.str(v.shape()) + " do not fit together (need (N, Lq, d), (N, Lk, d), (N, Lk, dv))");
        }
        if (mask == null) return;
        Elementwise.requireSameDevice("attention", q, mask);
        int[] ms = mask.shape();
        if (mask.dtype() != DType.BOOL || ms.length != 4 || ms[0] * ms[1] != q.size(0) || ms[2] != q.size(1) || ms[3] != k.size(1)) {
            throw new IllegalArgumentException("attention: the mask must be BOOL (B, h, " + q.size(1) + ", " + k.size(1) + ") with B·h = "
                    + q.size(0) + ", got " + mask.dtype() + " " + Shape.str(ms));
        }
    }

    /**
     * One (B, h, Lq, Lk) mask from a per-head mask (B·h, Lq, Lk) or (Lq, Lk) and a key-padding mask (B, Lk), either
     * null. A single mask is a view (key padding broadcast with stride 0); both together are OR-ed into a fresh one.
     */
    public static Tensor combineMasks(Tensor attnMask, Tensor keyPadding, int b, int heads, int lq, int lk) {
        Tensor m = null;
        if (attnMask != null) {
            int[] s = attnMask.shape();
            if (Arrays.equals(s, new int[] {b * heads, lq, lk})) m = attnMask.reshape(b, heads, lq, lk);
            else if (Arrays.equals(s, new int[] {lq, lk})) m = attnMask.reshape(1, 1, lq, lk).expand(b, heads, lq, lk);
            else throw new IllegalArgumentException("attention: attn_mask " + Shape.str(s) + " must be (" + b * heads + ", " + lq + ", "
                    + lk + ") or (" + lq + ", " + lk + ")");
        }
        if (keyPadding != null) {
            if (!Arrays.equals(keyPadding.shape(), new int[] {b, lk})) {
                throw new IllegalArgumentException("attention: key padding mask " + Shape.str(keyPadding.shape()) + " must be (" + b + ", " + lk + ")");
            }
            Tensor kp = keyPadding.reshape(b, 1, 1, lk).expand(b, heads, lq, lk);
            m = m == null ? kp : m.or(kp);
        }
        return m;
    }
}
