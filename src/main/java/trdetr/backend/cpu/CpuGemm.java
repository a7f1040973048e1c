package trdetr.backend.cpu;

import static trdetr.backend.cpu.CpuTensors.empty;
import static trdetr.backend.cpu.CpuTensors.f32;
import static trdetr.backend.cpu.CpuTensors.f64;
import static trdetr.backend.cpu.CpuTensors.packed;

import trdetr.backend.Backend.FixedFactor;
import trdetr.backend.MatmulShape;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The matrix products, as CudaGemm on the GPU: the operands packed, then {@link Sgemm} (float32: Vector API, scalar
 * fallback) or {@link Dgemm} (float64, the reference), chosen by dtype at entry.
 */
final class CpuGemm {
    private CpuGemm() {}

    static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        MatmulShape ms = MatmulShape.of(a.shape(), b.shape(), transA, transB);
        int batch = ms.batch(), m = ms.m(), n = ms.n(), k = ms.k(), lda = ms.lda(), ldb = ms.ldb();
        int strideA = (int) ms.strideA(), strideB = (int) ms.strideB();
        Tensor pa = packed(a), pb = packed(b);
        Tensor out = empty(a.dtype(), ms.outShape());
        if (a.dtype() == DType.FLOAT32) {
            Sgemm.gemmBatched(batch, transA, transB, m, n, k, f32(pa), 0, lda, strideA, f32(pb), 0, ldb, strideB, f32(out), 0, n, m * n, false);
        } else {
            Dgemm.gemmBatched(batch, transA, transB, m, n, k, f64(pa), 0, lda, strideA, f64(pb), 0, ldb, strideB, f64(out), 0, n, m * n, false);
        }
        return out;
    }

    /** Whether {@link #linear} takes this call: float32 on the Vector API kernel, and a non-empty product. */
    static boolean fusesLinear(Tensor x, Tensor w) { return x.dtype() == DType.FLOAT32 && Sgemm.fusesBias() && w.size(1) != 0; }

    /** op(x)·wᵀ + bias with the bias added to each tile of the product as its last K block is stored. */
    static Tensor linear(Tensor x, boolean transX, Tensor w, Tensor bias) {
        int k = w.size(1), m = x.size(transX ? 1 : 0), n = w.size(0);
        Tensor px = packed(x), pw = packed(w), pb = packed(bias);
        Tensor out = empty(DType.FLOAT32, new int[] {m, n});
        Sgemm.gemmWithBias(transX, m, n, k, f32(px), transX ? m : k, f32(pw), k, f32(pb), f32(out));
        return out;
    }

    /**
     * {@link trdetr.backend.Backend#fixedFactor} for float32 on the Vector API: w packed once, each product then skips
     * the packing (a GRU's hidden weight, 256×768, was packed afresh at every one of its 75 steps). The same tiles and
     * K blocks as {@link #linear} and {@link #matmul}, so the same bits. Null where the default must do it.
     */
    static FixedFactor fixedFactor(Tensor w, Tensor bias, boolean transposed) {
        if (w.dtype() != DType.FLOAT32 || !Sgemm.fusesBias() || w.rank() != 2 || (bias != null && !transposed)) return null;
        int n = w.size(transposed ? 0 : 1), k = w.size(transposed ? 1 : 0);
        if (n == 0 || k == 0) return null;
        float[] packedW = Sgemm.pack(transposed, n, k, f32(packed(w)), transposed ? k : n);
        float[] b = bias == null ? null : f32(packed(bias));
        return x -> {
            if (x.rank() != 2 || x.size(1) != k || x.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException("fixed factor: x must be float32 (m, " + k + "), got " + x.dtype() + " " + trdetr.tensor.Shape.str(x.shape()));
            }
            int m = x.size(0);
            Tensor out = empty(DType.FLOAT32, new int[] {m, n});
            Sgemm.gemmPacked(m, n, k, f32(packed(x)), k, packedW, b, f32(out));
            return out;
        };
    }
}
