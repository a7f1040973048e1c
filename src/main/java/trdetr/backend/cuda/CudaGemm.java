package trdetr.backend.cuda;

import java.util.Arrays;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/** Batched matrix products on the GPU (kernels/gemm.cu): exact FP32 and FP64, either operand transposed. */
public final class CudaGemm {
    private final CudaBackend backend;

    CudaGemm(CudaBackend backend) { this.backend = backend; }

    /** The {@link trdetr.backend.Backend#matmul} contract; a and b are packed (contiguous from offset 0). */
    Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        int[] as = a.shape(), bs = b.shape();
        int m = transA ? as[as.length - 1] : as[as.length - 2];
        int k = transA ? as[as.length - 2] : as[as.length - 1];
        int kb = transB ? bs[bs.length - 1] : bs[bs.length - 2];
        int n = transB ? bs[bs.length - 2] : bs[bs.length - 1];
        if (k != kb) throw new IllegalArgumentException("matmul: inner dimensions differ, shapes " + Shape.str(as) + " and " + Shape.str(bs));
        int[] batchShape = Arrays.copyOf(as.length >= bs.length ? as : bs, Math.max(as.length, bs.length) - 2);
        int batch = Shape.numel(batchShape);
        int[] outShape = Arrays.copyOf(batchShape, batchShape.length + 2);
        outShape[batchShape.length] = m;
        outShape[batchShape.length + 1] = n;
        Tensor out = backend.empty(a.dtype(), outShape);
        if (out.numel() == 0) return out;
        if (k == 0) { backend.fill(out, 0); return out; }
        long strideA = as.length == 2 ? 0 : (long) m * k, strideB = bs.length == 2 ? 0 : (long) k * n;
        String t = a.dtype() == DType.FLOAT32 ? "f32" : "f64";
        backend.kernels.launch3("gemm", "gemm_" + t, new int[] {(n + 63) / 64, (m + 63) / 64, batch}, new int[] {256, 1, 1}, 0,
                out, a, b, m, n, k, transA ? 1 : 0, transB ? 1 : 0, strideA, strideB);
        return out;
    }
}
