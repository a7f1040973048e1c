package trdetr.backend.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;

/**
 * The optional cuBLAS path (JCublas2, FP32 SGEMM in cuBLAS's default math mode). JCublas 12 needs
 * libcublas.so.12, which many machines lack (ours has only libcublas.so.13), so it is loaded lazily and any
 * failure just makes {@link #get} return null; nothing else depends on it.
 *
 * <p>Row-major ↔ column-major: a row-major m×n C is a column-major n×m Cᵀ, and Cᵀ = op(B)ᵀ·op(A)ᵀ, so cuBLAS is
 * called with the operands swapped (B first) and the same transpose flags, each buffer read with its row length as
 * the leading dimension.
 */
final class CublasGemm {
    private static final Object LOCK = new Object();
    private static volatile CublasGemm instance;
    private static volatile String unavailable;

    private final cublasHandle handle = new cublasHandle();

    private CublasGemm() {
        JCublas2.setExceptionsEnabled(true);
        JCublas2.cublasCreate(handle);   // uses the primary context the driver API made current
    }

    /** The cuBLAS path, or null (then {@link #unavailableReason} says why). */
    static CublasGemm get() {
        if (instance != null || unavailable != null) return instance;
        synchronized (LOCK) {
            if (instance == null && unavailable == null) {
                try {
                    CudaDevice.get();
                    instance = new CublasGemm();
                } catch (Throwable e) {   // UnsatisfiedLinkError when libcublas.so.12 or the JCublas natives are missing
                    unavailable = describe(e);
                }
            }
            return instance;
        }
    }

    static String unavailableReason() { return unavailable; }

    private static String describe(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(' ').append(t.getMessage());
        if (all.toString().contains("libcublas.so")) return "libcublas.so.12 not found";
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return e.getClass().getSimpleName() + ": " + m;
    }

    /** C[b] = op(A[b])·op(B[b]) in FP32 for packed row-major operands; a stride of 0 broadcasts. */
    void sgemm(CudaStorage c, CudaStorage a, CudaStorage b, int m, int n, int k, boolean transA, boolean transB,
               long strideA, long strideB, int batch) {
        int lda = transA ? m : k, ldb = transB ? k : n;
        int opA = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opB = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        Pointer one = Pointer.to(new float[] {1f}), zero = Pointer.to(new float[] {0f});
        JCublas2.cublasSgemmStridedBatched(handle, opB, opA, n, m, k, one, b.pointer(), ldb, strideB, a.pointer(), lda,
                strideA, zero, c.pointer(), n, (long) m * n, batch);
    }
}
