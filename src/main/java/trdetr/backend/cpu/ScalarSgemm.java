package trdetr.backend.cpu;

import java.util.Arrays;

/**
 * Plain scalar float32 GEMM: the fallback when the Vector API is absent, and the comparison point for
 * {@link VectorSgemm}. Simple and obviously correct; float accumulation. Single-threaded. The loop order is
 * {@link ScalarGemm}'s (shared with {@link Dgemm}); arguments as in {@link Sgemm#gemm}.
 */
public final class ScalarSgemm {

    private ScalarSgemm() {}

    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        new Loops(a, b, c).gemm(transA, transB, m, n, k, aOff, lda, bOff, ldb, cOff, ldc, accumulate);
    }

    public static void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                                   float[] a, int aOff, int lda, int strideA, float[] b, int bOff, int ldb, int strideB,
                                   float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        new Loops(a, b, c).gemmBatched(batch, transA, transB, m, n, k, aOff, lda, strideA, bOff, ldb, strideB,
                                       cOff, ldc, strideC, accumulate);
    }

    private static final class Loops extends ScalarGemm {
        private final float[] a, b, c;

        Loops(float[] a, float[] b, float[] c) { this.a = a; this.b = b; this.c = c; }

        @Override void clearRow(int ci, int n) { Arrays.fill(c, ci, ci + n, 0f); }

        @Override void addScaledRow(int ai, int bp, int ci, int n) {
            float aip = a[ai];
            for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
        }

        @Override void dot(int ai, int aCol, int bj, int k, int ci, boolean accumulate) {
            float s = 0f;
            for (int p = 0; p < k; p++) s += a[ai + p * aCol] * b[bj + p];
            c[ci] = accumulate ? c[ci] + s : s;
        }
    }
}
