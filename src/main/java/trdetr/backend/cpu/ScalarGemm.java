package trdetr.backend.cpu;

/**
 * The loop order of the two scalar matrix products, written once: {@link ScalarSgemm} (float accumulation) and
 * {@link Dgemm} (double) each supply the three typed inner loops over their own arrays. When B is not transposed,
 * C's row i is built as a sum of rows of B scaled by A(i,p) (i-p-j, unit stride over B and C); when B is transposed,
 * each C(i,j) is a dot product of a row of A with a row of the stored Bᵀ (i-j-p, unit stride over B and, unless A is
 * transposed, over A). Arguments as in {@link Sgemm#gemm}; single-threaded.
 */
abstract class ScalarGemm {
    /** C[c, c + n) = 0. */
    abstract void clearRow(int c, int n);

    /** C[c + j] += A[a]·B[b + j] for j &lt; n. */
    abstract void addScaledRow(int a, int b, int c, int n);

    /** s = Σ_p A[a + p·aStep]·B[b + p] over p &lt; k from 0, in order; C[c] = s, or C[c] + s when accumulating. */
    abstract void dot(int a, int aStep, int b, int k, int c, boolean accumulate);

    final void gemm(boolean transA, boolean transB, int m, int n, int k, int aOff, int lda, int bOff, int ldb,
                    int cOff, int ldc, boolean accumulate) {
        int aRow = transA ? 1 : lda;  // step of A(i, p) in i
        int aCol = transA ? lda : 1;  // step of A(i, p) in p
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            int ai = aOff + i * aRow;
            if (!transB) {
                if (!accumulate) clearRow(ci, n);
                for (int p = 0; p < k; p++) addScaledRow(ai + p * aCol, bOff + p * ldb, ci, n);
            } else {
                for (int j = 0; j < n; j++) dot(ai, aCol, bOff + j * ldb, k, ci + j, accumulate);
            }
        }
    }

    final void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, int aOff, int lda, int strideA,
                           int bOff, int ldb, int strideB, int cOff, int ldc, int strideC, boolean accumulate) {
        for (int t = 0; t < batch; t++) {
            gemm(transA, transB, m, n, k, aOff + t * strideA, lda, bOff + t * strideB, ldb, cOff + t * strideC, ldc, accumulate);
        }
    }
}
