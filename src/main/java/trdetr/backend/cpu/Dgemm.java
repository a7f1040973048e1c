package trdetr.backend.cpu;

import java.util.Arrays;

/**
 * Float64 GEMM: the reference path used by gradient checks. Simple scalar code, double accumulation, the
 * cache-friendly loop order of {@link ScalarGemm} (shared with {@link ScalarSgemm}); correctness first, speed second.
 * Single-threaded.
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
        new Loops(a, b, c).gemm(transA, transB, m, n, k, aOff, lda, bOff, ldb, cOff, ldc, accumulate);
    }

    public static void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                                   double[] a, int aOff, int lda, int strideA, double[] b, int bOff, int ldb, int strideB,
                                   double[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        Sgemm.checkArgs(batch, transA, transB, m, n, k, a.length, aOff, lda, strideA, b.length, bOff, ldb, strideB,
                        c.length, cOff, ldc, strideC);
        new Loops(a, b, c).gemmBatched(batch, transA, transB, m, n, k, aOff, lda, strideA, bOff, ldb, strideB,
                                       cOff, ldc, strideC, accumulate);
    }

    private static final class Loops extends ScalarGemm {
        private final double[] a, b, c;

        Loops(double[] a, double[] b, double[] c) { this.a = a; this.b = b; this.c = c; }

        @Override void clearRow(int ci, int n) { Arrays.fill(c, ci, ci + n, 0.0); }

        @Override void addScaledRow(int ai, int bp, int ci, int n) {
            double aip = a[ai];
            for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
        }

        @Override void dot(int ai, int aCol, int bj, int k, int ci, boolean accumulate) {
            double s = 0.0;
            for (int p = 0; p < k; p++) s += a[ai + p * aCol] * b[bj + p];
            c[ci] = accumulate ? c[ci] + s : s;
        }
    }
}
