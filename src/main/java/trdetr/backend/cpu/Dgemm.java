package trdetr.backend.cpu;

import java.util.Arrays;

/**
 * Float64 GEMM: the reference path used by gradient checks. Simple scalar code, double accumulation,
 * cache-friendly loop order (see {@link ScalarSgemm}); correctness first, speed second. Single-threaded.
 *
 * <p>Same contract as {@link Sgemm}: C = op(A)·op(B), or C += op(A)·op(B) when {@code accumulate}; row-major;
 * op(A) is m×k, op(B) is k×n.
 * A: !transA → element (i,p) at a[aOff + i*lda + p]; transA → at a[aOff + p*lda + i].
 * B: !transB → element (p,j) at b[bOff + p*ldb + j]; transB → at b[bOff + j*ldb + p].
 * C: element (i,j) at c[cOff + i*ldc + j]. k == 0 gives zeros (or leaves C when accumulating).
 */
public final class Dgemm {

    private Dgemm() {}

    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double[] c, int cOff, int ldc, boolean accumulate) {
        Sgemm.checkArgs(1, transA, transB, m, n, k, a.length, aOff, lda, 0, b.length, bOff, ldb, 0,
                        c.length, cOff, ldc, 0);
        kernel(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    public static void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                                   double[] a, int aOff, int lda, int strideA, double[] b, int bOff, int ldb, int strideB,
                                   double[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        Sgemm.checkArgs(batch, transA, transB, m, n, k, a.length, aOff, lda, strideA, b.length, bOff, ldb, strideB,
                        c.length, cOff, ldc, strideC);
        for (int t = 0; t < batch; t++) {
            kernel(transA, transB, m, n, k, a, aOff + t * strideA, lda, b, bOff + t * strideB, ldb,
                   c, cOff + t * strideC, ldc, accumulate);
        }
    }

    private static void kernel(boolean transA, boolean transB, int m, int n, int k,
                               double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                               double[] c, int cOff, int ldc, boolean accumulate) {
        int aRow = transA ? 1 : lda;  // step of A(i, p) in i
        int aCol = transA ? lda : 1;  // step of A(i, p) in p
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            int ai = aOff + i * aRow;
            if (!transB) {
                // C[i,:] (+)= sum_p A(i,p) * B[p,:]  — unit stride over B and C.
                if (!accumulate) Arrays.fill(c, ci, ci + n, 0.0);
                for (int p = 0; p < k; p++) {
                    double aip = a[ai + p * aCol];
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += aip * b[bp + j];
                    }
                }
            } else {
                // C(i,j) (+)= dot(A(i,:), Bᵀ stored row j) — unit stride over the stored B.
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    double s = 0.0;
                    for (int p = 0; p < k; p++) {
                        s += a[ai + p * aCol] * b[bj + p];
                    }
                    c[ci + j] = accumulate ? c[ci + j] + s : s;
                }
            }
        }
    }
}
