package trdetr.backend.cpu;

import trdetr.backend.Backend;
import trdetr.backend.BinaryOp;
import trdetr.backend.ReduceOp;
import trdetr.backend.UnaryOp;
import trdetr.tensor.DType;
import trdetr.tensor.Storage;
import trdetr.tensor.Tensor;

/**
 * The CPU backend: plain Java loops over host arrays, float32 and float64 side by side. This class only dispatches;
 * the kernels live by op family as kernels/*.cu does on the GPU: {@link CpuElementwise} (elementwise.cu),
 * {@link CpuReduce} (reduce.cu), {@link CpuNormalization} (normalization.cu), {@link CpuIndexing} (indexing.cu) and
 * {@link CpuGemm} over {@link Sgemm} (Vector API) and {@link Dgemm} (the float64 reference). Attention, the GRU gates
 * and the loss primitives have no CPU kernels: the CPU runs {@link Backend}'s and {@link trdetr.backend.LossKernels}'
 * composed defaults.
 *
 * <p>Large tensors are split over {@link Parallel}'s threads ({@link StridedLoop#runParallel},
 * {@link Parallel#forRange}): by element, row or column, never inside one reduction, so every output is computed
 * by the same arithmetic in the same order whatever the thread count, and results are bit-identical to one thread.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override public String name() { return "cpu"; }

    @Override public Storage allocate(DType dtype, int size) { return CpuStorage.allocate(dtype, size); }

    @Override public Storage upload(Object hostArray) { return new CpuStorage(hostArray); }

    @Override public Object download(Tensor t) { return CpuTensors.array(CpuTensors.copied(t)); }

    // ------------------------------------------------------------------ element-wise (CpuElementwise)

    @Override public void copy(Tensor dst, Tensor src) { CpuElementwise.copy(dst, src); }

    @Override public void fill(Tensor dst, double value) { CpuElementwise.fill(dst, value); }

    @Override public Tensor unary(UnaryOp op, Tensor a, double p0, double p1) { return CpuElementwise.unary(op, a, p0, p1); }

    @Override public Tensor binary(BinaryOp op, Tensor a, Tensor b) { return CpuElementwise.binary(op, a, b); }

    @Override public void unaryInPlace(UnaryOp op, Tensor a, double p0, double p1) { CpuElementwise.unary(op, a, p0, p1, a); }

    @Override public void binaryInPlace(BinaryOp op, Tensor a, Tensor b) {
        if (op.isComparison() || op.isLogical() || a.dtype() != b.dtype()) Backend.super.binaryInPlace(op, a, b);
        else CpuElementwise.binary(op, a, b, b);
    }

    @Override public Tensor where(Tensor cond, Tensor a, Tensor b) { return CpuElementwise.where(cond, a, b); }

    @Override public Tensor dropout(Tensor x, double p, long seed, long offset) { return CpuElementwise.dropout(x, p, seed, offset); }
    @Override public AttentionResult attention(Tensor q, Tensor k, Tensor v, Tensor mask, double p, long seed, long offset) {
        if (CpuAttention.fuses(q, k, v)) return CpuAttention.attention(q, k, v, mask, p, seed, offset, true);
        return Backend.super.attention(q, k, v, mask, p, seed, offset);
    }

    /** Fused without storing the probabilities: each head's stay in a scratch block (CpuAttention). */
    @Override public Tensor attentionOutput(Tensor q, Tensor k, Tensor v, Tensor mask, double p, long seed, long offset) {
        if (CpuAttention.fuses(q, k, v)) return CpuAttention.attention(q, k, v, mask, p, seed, offset, false).output();
        return Backend.super.attentionOutput(q, k, v, mask, p, seed, offset);
    }

    @Override public PreluGrads preluBackward(Tensor g, Tensor x, double slope, boolean slopeGradient) {
        return CpuElementwise.preluBackward(g, x, slope, slopeGradient);
    }

    @Override public void adamWStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1,
                                    double beta2, double eps, double weightDecay, long step) {
        CpuElementwise.adamWStep(param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, step);
    }

    @Override public void scaleInPlace(Tensor dst, double factor) { CpuElementwise.scaleInPlace(dst, factor); }

    // ------------------------------------------------------------------ reductions (CpuReduce)

    @Override public Tensor reduce(ReduceOp op, Tensor a, int axis) { return CpuReduce.reduce(op, a, axis); }

    // ------------------------------------------------------------------ matrix products (CpuGemm)

    @Override public Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) { return CpuGemm.matmul(a, b, transA, transB); }

    /** Float32 on the Vector API fuses the bias into the product (CpuGemm); otherwise the default's matmul then add. */
    @Override public Tensor linear(Tensor x, boolean transX, Tensor w, Tensor bias) {
        return CpuGemm.fusesLinear(x, w) ? CpuGemm.linear(x, transX, w, bias) : Backend.super.linear(x, transX, w, bias);
    }

    /** Packed once for float32 on the Vector API (CpuGemm); otherwise the default's products. */
    @Override public FixedFactor fixedFactor(Tensor w, Tensor bias, boolean transposed) {
        FixedFactor f = CpuGemm.fixedFactor(w, bias, transposed);
        return f != null ? f : Backend.super.fixedFactor(w, bias, transposed);
    }

    // ------------------------------------------------------------------ the GRU's gates (CpuGru)

    @Override public GruStep gruGates(Tensor gi, Tensor gh, Tensor h) {
        return CpuGru.fuses(gi, gh, h) ? CpuGru.gates(gi, gh, h) : Backend.super.gruGates(gi, gh, h);
    }

    @Override public GruStepGrads gruGatesBackward(Tensor dhCarry, Tensor dhHidden, Tensor dOut, Tensor h, Tensor r, Tensor z,
                                                   Tensor n, Tensor ghn) {
        return CpuGru.fuses(dhCarry, dhHidden, dOut, h, r, z, n, ghn)
               ? CpuGru.gatesBackward(dhCarry, dhHidden, dOut, h, r, z, n, ghn)
               : Backend.super.gruGatesBackward(dhCarry, dhHidden, dOut, h, r, z, n, ghn);
    }

    // ------------------------------------------------------------------ softmax and layer norm (CpuNormalization)

    @Override public Tensor softmax(Tensor x, boolean log) { return CpuNormalization.softmax(x, log); }

    @Override public Tensor softmaxBackward(Tensor y, Tensor gy, boolean log) { return CpuNormalization.softmaxBackward(y, gy, log); }

    @Override public LayerNormResult layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        return CpuNormalization.layerNorm(x, gamma, beta, eps);
    }

    /** Each row is read whole into a buffer before it is written (CpuNormalization), so y may be x. */
    @Override public void layerNormInPlace(Tensor x, Tensor gamma, Tensor beta, double eps) {
        if (!x.isContiguous() || x.offset() != 0) Backend.super.layerNormInPlace(x, gamma, beta, eps);
        else CpuNormalization.layerNorm(x, gamma, beta, eps, x);
    }

    @Override public LayerNormGrads layerNormBackward(Tensor gy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd) {
        return CpuNormalization.layerNormBackward(gy, x, gamma, mean, rstd);
    }

    // ------------------------------------------------------------------ indexing (CpuIndexing)

    @Override public Tensor gather(Tensor a, int axis, Tensor index) { return CpuIndexing.gather(a, axis, index); }

    @Override public Tensor scatterAdd(int[] shape, int axis, Tensor index, Tensor src) { return CpuIndexing.scatterAdd(shape, axis, index, src); }

    @Override public Tensor cumsum(Tensor a, int axis, boolean reverse) { return CpuIndexing.cumsum(a, axis, reverse); }

    @Override public Tensor argsort(Tensor a, boolean descending) { return CpuIndexing.argsort(a, descending); }
}
