package trdetr.nn;

import trdetr.ops.Attention;
import trdetr.tensor.Generator;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/**
 * The multi-head core shared by torch.nn.MultiheadAttention and DAB-DETR's variant, sequence-first as in PyTorch:
 * q (Lq, B, h·dq), k (Lk, B, h·dq), v (Lk, B, h·dv), all already projected (and q already scaled).
 * Batch and head are flattened as n = b·h + η, exactly as PyTorch does, which matters for 3-D masks.
 */
public final class ScaledDotProductAttention {
    private ScaledDotProductAttention() {}

    /**
     * @param attnMask   (B·h, Lq, Lk) BOOL, true = masked, or null
     * @param keyPadding (B, Lk) BOOL, true = padding, or null
     * @return the output (Lq, B, h·dv) and the attention probabilities (B·h, Lq, Lk)
     */
    public static Result apply(Tensor q, Tensor k, Tensor v, int heads, Tensor attnMask, Tensor keyPadding,
                               double dropout, boolean training, Generator gen) {
        int lq = q.size(0), b = q.size(1), lk = k.size(0);
        int dq = q.size(2) / heads, dv = v.size(2) / heads;
        if (k.size(1) != b || v.size(1) != b || v.size(0) != lk || k.size(2) != q.size(2)) {
            throw new IllegalArgumentException("attention: query " + Shape.str(q.shape()) + ", key " + Shape.str(k.shape())
                    + " and value " + Shape.str(v.shape()) + " do not fit together");
        }
        Tensor qh = q.reshape(lq, b * heads, dq).transpose(0, 1);   // (B·h, Lq, dq), a view
        Tensor kh = k.reshape(lk, b * heads, dq).transpose(0, 1);   // (B·h, Lk, dq)
        Tensor vh = v.reshape(lk, b * heads, dv).transpose(0, 1);   // (B·h, Lk, dv)
        Tensor mask = Attention.combineMasks(attnMask, keyPadding, b, heads, lq, lk);
        // The weights are kept only for a backward or for an ActivationRecorder (the verifier compares them).
        Attention.Result a = Attention.apply(qh, kh, vh, mask, dropout, training, gen, ActivationRecorder.isActive());
        return new Result(a.output().transpose(0, 1).reshape(lq, b, heads * dv), a, heads);
    }

    /** The attended values and the probabilities that weighted them. */
    public record Result(Tensor output, Attention.Result attention, int heads) {
        /**
         * The attention probabilities (B·h, Lq, Lk) that weighted the values (after dropout), for inspection: kept when
         * a gradient was computed or an {@link ActivationRecorder} listened, else an IllegalStateException.
         */
        public Tensor probs() { return attention.weights(); }

        /** The probabilities averaged over heads, (B, Lq, Lk), as torch returns them with need_weights. */
        public Tensor averagedWeights() {
            Tensor probs = probs();
            int bh = probs.size(0);
            return probs.reshape(bh / heads, heads, probs.size(1), probs.size(2)).mean(1, false);
        }
    }
}
