package trdetr.backend;

import java.util.List;
import trdetr.autograd.GradMode;
import trdetr.tensor.DType;
import trdetr.tensor.Storage;
import trdetr.tensor.Tensor;

/**
 * The kernels every device implements. Autograd and the model only ever call these through {@link Tensor}
 * and the ops in {@code trdetr.ops}, so a new device is a new implementation of this interface and nothing else.
 *
 * <p>Contract: inputs may be strided views (including stride-0 broadcast views) unless a method says otherwise;
 * every returned tensor is freshly allocated and contiguous; no method records autograd history. The loss
 * primitives are in {@link LossKernels}. A kernel with several results returns them as one of the records below.
 */
public interface Backend extends LossKernels {
    /** {@link #layerNorm}'s output y and the per-row statistics its backward needs, shaped like x without its last axis. */
    record LayerNormResult(Tensor y, Tensor mean, Tensor rstd) {}

    /** {@link #layerNormBackward}'s gradients of x, gamma and beta. */
    record LayerNormGrads(Tensor dx, Tensor dgamma, Tensor dbeta) {}

    /** {@link #attention}'s output (N, Lq, dv) and probs (N, Lq, Lk) before dropout, what the backward needs. */
    record AttentionResult(Tensor output, Tensor probs) {}

    /** {@link #attentionBackward}'s gradients of q, k and v. */
    record AttentionGrads(Tensor dq, Tensor dk, Tensor dv) {}

    /** {@link #preluBackward}'s gradients of x and of the one-element slope (null unless asked for). */
    record PreluGrads(Tensor dx, Tensor dslope) {}

    /** One {@link #gruGates} step: the new state h' and the gates r, z, n its backward needs, each (B, H). */
    record GruStep(Tensor h, Tensor r, Tensor z, Tensor n) {}

    /**
     * {@link #gruGatesBackward}'s gradients: of the step's input projection gi and hidden projection gh (both (B, 3H)),
     * and dh ⊙ z, the direct path to the previous state h (B, H).
     */
    record GruStepGrads(Tensor dgi, Tensor dgh, Tensor dhDirect) {}

    String name();

    /** A zero-filled buffer. */
    Storage allocate(DType dtype, int size);

    /** A buffer holding a copy of a host array: float[] (FLOAT32), double[] (FLOAT64), long[] (INT64), boolean[] (BOOL). */
    Storage upload(Object hostArray);

    /** A row-major host copy of a tensor's elements, as the host array type of its dtype. */
    Object download(Tensor t);

    /** Element-wise copy between two tensors of one shape, converting dtypes when they differ. */
    void copy(Tensor dst, Tensor src);

    void fill(Tensor dst, double value);

    Tensor unary(UnaryOp op, Tensor a, double p0, double p1);

    /** a and b have the same shape and dtype; comparisons give BOOL. */
    Tensor binary(BinaryOp op, Tensor a, Tensor b);

    /**
     * {@link #unary}'s values written over a itself: for a forward pass without autograd, where a is a fresh temporary
     * nothing else reads (contiguous, its buffer its own). The default computes, then copies.
     */
    default void unaryInPlace(UnaryOp op, Tensor a, double p0, double p1) { copy(a, unary(op, a, p0, p1)); }

    /**
     * {@link #binary}'s arithmetic written over b, as {@link #unaryInPlace}: b a fresh temporary (contiguous, its buffer
     * its own), a of b's shape (a broadcast view is fine).
     */
    default void binaryInPlace(BinaryOp op, Tensor a, Tensor b) { copy(b, binary(op, a, b)); }

    /** cond is BOOL; all three have one shape. */
    Tensor where(Tensor cond, Tensor a, Tensor b);

    /** Reduces one axis away. */
    Tensor reduce(ReduceOp op, Tensor a, int axis);

    /**
     * Batched matrix product op(a)·op(b) over the last two axes. Both operands are contiguous; either has the
     * other's batch shape or is 2-D (broadcast over the batch).
     */
    Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB);

    /**
     * torch.nn.Linear's forward on matrices: op(x)·wᵀ + bias, with op(x) = x (m, k), or xᵀ when {@code transX} (x
     * stored (k, m)); w (n, k) and bias (n) contiguous. The bias is added to the product's rounded result, so a device
     * that fuses the addition into its product gives the same bits as this default, which composes
     * {@link #matmul} and {@link #binary}.
     */
    default Tensor linear(Tensor x, boolean transX, Tensor w, Tensor bias) {
        Tensor y = matmul(x, w, transX, true);
        Tensor b = dense(this, bias);
        Tensor rows = new Tensor(b.storage(), y.shape(), new int[] {0, 1}, b.offset());     // bias broadcast over rows
        return binary(BinaryOp.ADD, y, rows);
    }

    /**
     * A matrix that many products take unchanged as their right operand, such as a recurrence's weight step after
     * step: {@link FixedFactor#times} maps x (m, k) to x·wᵀ + bias when {@code transposed} (the {@link #linear}
     * form: w (n, k), bias (n) or null) and to x·w otherwise (w (k, n), no bias). w and bias are contiguous and must
     * not change while the factor is in use. The products are {@link #linear}'s and {@link #matmul}'s, bit for bit;
     * a device may prepare w once (the CPU packs it for its GEMM).
     */
    default FixedFactor fixedFactor(Tensor w, Tensor bias, boolean transposed) {
        if (!transposed && bias != null) throw new IllegalArgumentException("fixedFactor: a bias needs the linear form (transposed)");
        if (!transposed) return x -> matmul(dense(this, x), w, false, false);
        if (bias == null) return x -> matmul(dense(this, x), w, false, true);
        return x -> linear(dense(this, x), false, w, bias);
    }

    /** A prepared right operand: {@link #fixedFactor}. */
    @FunctionalInterface
    interface FixedFactor {
        /** x (m, k) times the factor: (m, n), freshly allocated. */
        Tensor times(Tensor x);
    }

    /** Softmax (or log-softmax) over the last axis; a row that is entirely -inf gives zeros (log: -inf). */
    Tensor softmax(Tensor x, boolean log);

    /** Input gradient of {@link #softmax} given its output y and the output gradient gy. */
    Tensor softmaxBackward(Tensor y, Tensor gy, boolean log);

    /** Layer norm over the last axis. */
    LayerNormResult layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps);

    /**
     * {@link #layerNorm}'s y written over x itself, as {@link #unaryInPlace}: x a fresh temporary (contiguous, its
     * buffer its own) of a forward pass without autograd. The default computes, then copies.
     */
    default void layerNormInPlace(Tensor x, Tensor gamma, Tensor beta, double eps) { copy(x, layerNorm(x, gamma, beta, eps).y()); }

    /** The gradients of {@link #layerNorm} from the output gradient gy and the forward's statistics. */
    LayerNormGrads layerNormBackward(Tensor gy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd);

    /**
     * Inverted dropout: element i (row-major) of x is zeroed when {@code CounterRng.uniform(seed, offset + i) < p},
     * else scaled by 1/(1-p). The mask is never stored: backward calls this again on the gradient with the same
     * seed and offset, and every backend draws the same mask.
     */
    Tensor dropout(Tensor x, double p, long seed, long offset);

    /**
     * {@link #attention}'s output alone, for a forward pass whose probabilities nothing needs (no backward, nobody
     * inspects them): a device may then skip storing them. The same bits as {@link #attention}'s output.
     */
    default Tensor attentionOutput(Tensor q, Tensor k, Tensor v, Tensor mask, double p, long seed, long offset) {
        return attention(q, k, v, mask, p, seed, offset).output();
    }

    /**
     * The core of scaled dot-product attention over N = B·h independent heads:
     * probs = softmax(q·kᵀ with masked scores set to -inf) over keys (a fully masked row gives zeros) and
     * output = dropout(probs)·v, the dropout exactly {@link #dropout}{@code (probs, p, seed, offset)} (p = 0: none).
     * No scaling: the caller scales q.
     *
     * <p>q (N, Lq, d), k (N, Lk, d), v (N, Lk, dv) may be any strided views (the model passes head-split transposed
     * views of its projections). mask is BOOL of shape (B, h, Lq, Lk) with B·h = N (head n = b·h + η, as PyTorch
     * flattens them), any strides (0 to broadcast a key-padding row), true = masked; or null.
     *
     * <p>The default composes the other kernels and is the reference semantics; a device may fuse it.
     *
     * @return the output and the probs before dropout: what the backward needs, since the dropout mask is redrawn
     *         from seed and offset
     */
    default AttentionResult attention(Tensor q, Tensor k, Tensor v, Tensor mask, double p, long seed, long offset) {
        return composedAttention(this, q, k, v, mask, p, seed, offset);
    }

    /** {@link #attention} composed from the device's other kernels: the default, and the reference a fused kernel is tested against. */
    static AttentionResult composedAttention(Backend device, Tensor q, Tensor k, Tensor v, Tensor mask, double p, long seed, long offset) {
        Tensor scores = device.matmul(dense(device, q), dense(device, k), false, true);
        if (mask != null) {
            int[] shape4 = mask.shape();
            Tensor negInf = Tensor.wrap(device.allocate(scores.dtype(), 1), 1);
            device.fill(negInf, Double.NEGATIVE_INFINITY);
            Tensor filled = device.where(mask, new Tensor(negInf.storage(), shape4, new int[4], 0),
                    Tensor.wrap(scores.storage(), shape4));
            scores = Tensor.wrap(filled.storage(), scores.shape());
        }
        Tensor probs = device.softmax(scores, false);
        Tensor output = device.matmul(p > 0 ? device.dropout(probs, p, seed, offset) : probs, dense(device, v), false, false);
        return new AttentionResult(output, probs);
    }

    /**
     * Input gradients of {@link #attention} from the output gradient and the forward's probs (before dropout):
     * dV = Pdᵀ·dO, dP = dropout(dO·Vᵀ), dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dS·K, dK = dSᵀ·Q. Masked scores need no
     * mask here: their probability is 0, so their dS is too.
     *
     * @return dq (N, Lq, d), dk (N, Lk, d), dv (N, Lk, dv)
     */
    default AttentionGrads attentionBackward(Tensor gradOutput, Tensor q, Tensor k, Tensor v, Tensor probs, double p, long seed,
                                       long offset) {
        Tensor g = dense(this, gradOutput);
        Tensor dv = matmul(p > 0 ? dropout(probs, p, seed, offset) : probs, g, true, false);
        Tensor dDropped = matmul(g, dense(this, v), false, true);
        Tensor dScores = softmaxBackward(probs, p > 0 ? dropout(dDropped, p, seed, offset) : dDropped, false);
        Tensor dq = matmul(dScores, dense(this, k), false, false);
        Tensor dk = matmul(dScores, dense(this, q), true, false);
        return new AttentionGrads(dq, dk, dv);
    }

    /**
     * PReLU's backward with a one-element slope, fused: dx and dslope, where dx = g·(x &gt; 0 ? 1 : slope) and dslope (a 0-d
     * tensor, or null unless asked) = Σ g·(x &gt; 0 ? 0 : x), each product rounded to x's dtype and the sum taken in index
     * order in double. Those are the values of ops.Elementwise's composition (LEAKY_SLOPE, NEG_PART, mul, sum), which
     * runs when this returns null: the default, for devices without the fused kernel.
     */
    default PreluGrads preluBackward(Tensor g, Tensor x, double slope, boolean slopeGradient) { return null; }

    /**
     * One GRU step's gates (torch.nn.GRU, gate order r, z, n) from the step's input projection gi (B, 3H) and hidden
     * projection gh (B, 3H), biases included, and the previous state h (B, H); all three may be strided views:
     * r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r ⊙ gh_n), h' = n + z ⊙ (h − n).
     * The default composes the element-wise kernels and is the reference semantics; a device may fuse it.
     *
     * @return h' and the gates r, z, n, each (B, H)
     */
    default GruStep gruGates(Tensor gi, Tensor gh, Tensor h) {
        int hidden = h.size(1);
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor r = gi.slice(1, 0, hidden).add(gh.slice(1, 0, hidden)).sigmoid();
            Tensor z = gi.slice(1, hidden, 2 * hidden).add(gh.slice(1, hidden, 2 * hidden)).sigmoid();
            Tensor n = gi.slice(1, 2 * hidden, 3 * hidden).add(r.mul(gh.slice(1, 2 * hidden, 3 * hidden))).tanh();
            return new GruStep(n.add(z.mul(h.sub(n))), r, z, n);
        }
    }

    /**
     * The gradients through one {@link #gruGates} step. The gradient reaching h' has three paths, added here in this
     * order (so the recurrence needs no add launches of its own): dh = (dhCarry + dhHidden) + dOut, the direct path
     * from the next step (its dh ⊙ z), the next step's hidden projection (its d gh · W_hh), and the step's own output.
     * With the pre-activation gradients dR = dn·gh_n ⊙ r(1 − r), dZ = dh ⊙ (h − n) ⊙ z(1 − z),
     * dN = dh ⊙ (1 − z) ⊙ (1 − n²), returns d gi = [dR, dZ, dN], d gh = [dR, dZ, dN ⊙ r] (both (B, 3H)) and dh ⊙ z (the
     * direct path to h, (B, H)). ghn is gh_n, the last third of the step's hidden projection; the three gradients,
     * h and ghn may be strided views.
     */
    default GruStepGrads gruGatesBackward(Tensor dhCarry, Tensor dhHidden, Tensor dOut, Tensor h, Tensor r, Tensor z, Tensor n, Tensor ghn) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor dh = dhCarry.add(dhHidden).add(dOut);
            Tensor dn = dh.mul(z.rsub(1.0));
            Tensor dz = dh.mul(h.sub(n));
            Tensor dPreN = dn.mul(n.mul(n).rsub(1.0));
            Tensor dPreR = dPreN.mul(ghn).mul(r.mul(r.rsub(1.0)));
            Tensor dPreZ = dz.mul(z.mul(z.rsub(1.0)));
            return new GruStepGrads(Tensor.cat(List.of(dPreR, dPreZ, dPreN), 1), Tensor.cat(List.of(dPreR, dPreZ, dPreN.mul(r)), 1), dh.mul(z));
        }
    }

    /** t when it is contiguous, else a contiguous copy (matmul's operands must be). */
    private static Tensor dense(Backend device, Tensor t) {
        if (t.isContiguous()) return t;
        Tensor c = Tensor.wrap(device.allocate(t.dtype(), t.numel()), t.shape());
        device.copy(c, t);
        return c;
    }

    /** out[...i...] = a[...index[...i...]...] along axis (torch.gather); index is INT64 with a's rank. */
    Tensor gather(Tensor a, int axis, Tensor index);

    /** zeros(shape) then out[...index[...i...]...] += src[...i...] along axis (torch.scatter_add). */
    Tensor scatterAdd(int[] shape, int axis, Tensor index, Tensor src);

    /** Inclusive cumulative sum along axis, from the end when reverse. */
    Tensor cumsum(Tensor a, int axis, boolean reverse);

    /** Stable sort along the last axis: the INT64 permutation. */
    Tensor argsort(Tensor a, boolean descending);

    /**
     * One AdamW step in place, torch.optim.AdamW's arithmetic (decoupled decay p ← p·(1 − lr·wd), then Adam with bias
     * correction, denominator √v/√(1 − β2^t) + eps). param, expAvg and expAvgSq are contiguous and updated in place.
     */
    void adamWStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1, double beta2,
                   double eps, double weightDecay, long step);

    /** dst ← dst · factor, in place (gradient clipping). */
    void scaleInPlace(Tensor dst, double factor);

    /** Opens a scope whose buffers are released when it closes (see {@link MemoryScope}); none on the CPU. */
    default MemoryScope openScope() { return MemoryScope.NONE; }

    /** Waits for queued device work (timing); nothing to wait for on the CPU. */
    default void synchronize() {}
}
