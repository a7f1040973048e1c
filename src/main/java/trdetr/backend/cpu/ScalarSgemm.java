package trdetr.backend.cpu;

import java.util.Arrays;

/**
 * Plain scalar float32 GEMM: the fallback when the Vector API is absent, and the comparison point for
 * {@link VectorSgemm}. Simple and obviously correct; float accumulation. Single-threaded.
 *
 * <p>Loop order: when B is not transposed, C's row i is built as a sum of rows of B scaled by A(i,p)
 * (i-p-j, unit stride over B and C); when B is transposed, each C(i,j) is a dot product of a row of A with a
 * row of the stored Bᵀ (i-j-p, unit stride over B and, unless A is transposed, over A).
 * Arguments as in {@link Sgemm#gemm}.
 */
public final class ScalarSgemm {

    private ScalarSgemm() {}

    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        int aRow = transA ? 1 : lda;  // step of A(i, p) in i
        int aCol = transA ? lda : 1;  // step of A(i, p) in p
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            int ai = aOff + i * aRow;
            if (!transB) {
                if (!accumulate) Arrays.fill(c, ci, ci + n, 0f);
                for (int p = 0; p < k; p++) {
                    float aip = a[ai + p * aCol];
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += aip * b[bp + j];
                    }
                }
            } else {
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s += a[ai + p * aCol] * b[bj + p];
                    }
                    c[ci + j] = accumulate ? c[ci + j] + s : s;
                }
            }
        }
    }

    public static void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                                   float[] a, int aOff, int lda, int strideA, float[] b, int bOff, int ldb, int strideB,
                                   float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        for (int t = 0; t < batch; t++) {
            gemm(transA, transB, m, n, k, a, aOff + t * strideA, lda, b, bOff + t * strideB, ldb,
                 c, cOff + t * strideC, ldc, accumulate);
        }
    }
}
