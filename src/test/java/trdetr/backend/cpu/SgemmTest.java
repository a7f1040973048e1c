package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * VectorSgemm and ScalarSgemm against the float64 Dgemm reference; Dgemm against a naive triple loop; Parallel.
 *
 * <p>Tolerance: each C element is a float32 sum of k products. Rounding errors of a k-term float sum with
 * random signs grow like u·sqrt(k) relative to the result (u = 2^-24 ≈ 6e-8; the worst case is u·k, never
 * approached with random data, and blocked summation as in the vector kernel is better still). We require
 * ‖C − C_ref‖ / ‖C_ref‖ ≤ 1e-6·sqrt(max(k, 1)), about 16× the typical u·sqrt(k) — loose enough never to flake,
 * tight enough that any indexing mistake (an error of order 1) or a lost K block fails by orders of magnitude.
 */
class SgemmTest {

    /** Values appearing in each of m, n, k. */
    private static final int[] DIMS = {1, 3, 15, 16, 17, 33, 120, 121, 257, 300};
    /** Value stored outside the m×n block of C; must survive every call unchanged. */
    private static final float SENTINEL = 7777.5f;

    interface SKernel {
        void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                  float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate);
    }

    interface SBatched {
        void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                         float[] a, int aOff, int lda, int strideA, float[] b, int bOff, int ldb, int strideB,
                         float[] c, int cOff, int ldc, int strideC, boolean accumulate);
    }

    private static final SKernel VECTOR = VectorSgemm::gemm;
    private static final SKernel SCALAR = ScalarSgemm::gemm;
    private static final SKernel DISPATCH = Sgemm::gemm;

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /** The shape list: every DIMS value in each of m, n, k, plus a few large mixed ones. */
    static List<int[]> shapes() {
        List<int[]> s = new ArrayList<>();
        for (int v : DIMS) {
            s.add(new int[] {v, 17, 33});
            s.add(new int[] {33, v, 17});
            s.add(new int[] {17, 33, v});
        }
        s.add(new int[] {300, 257, 121});
        s.add(new int[] {121, 300, 257});
        s.add(new int[] {257, 121, 300});
        s.add(new int[] {120, 16, 256});
        s.add(new int[] {4, 300, 600});   // few rows: column groups; k > KC: several K blocks
        s.add(new int[] {250, 33, 520});  // three K blocks, ragged edges
        return s;
    }

    // ---------------------------------------------------------------------------------------------- single GEMM

    @Test
    void vectorMatchesDoubleReference() {
        sweep(VECTOR, 11);
    }

    @Test
    void scalarMatchesDoubleReference() {
        sweep(SCALAR, 12);
    }

    @Test
    void dispatcherMatchesDoubleReference() {
        Random r = new Random(13);
        for (int[] s : new int[][] {{37, 45, 290}, {300, 257, 121}}) {
            for (int tr = 0; tr < 4; tr++) check(DISPATCH, r, s[0], s[1], s[2], (tr & 1) != 0, (tr & 2) != 0, true, tr % 2 == 0);
        }
    }

    @Test
    void vectorWithOtherThreadCounts() {
        Random r = new Random(14);
        for (int nt : new int[] {1, 3}) {
            Parallel.setThreads(nt);
            for (int[] s : new int[][] {{300, 257, 121}, {5, 700, 300}, {130, 33, 17}}) {
                for (int tr = 0; tr < 4; tr++) {
                    check(VECTOR, r, s[0], s[1], s[2], (tr & 1) != 0, (tr & 2) != 0, true, tr >= 2);
                }
            }
        }
    }

    /**
     * The vector GEMM's arithmetic, exactly: each element of C is one FMA chain per K block (blocks balanced as
     * {@link VectorSgemm#KC} says), the first block stored (or added to C when accumulating), each later one added to
     * C. No tile shape, thread count or edge path may change a bit of it, so a faster kernel stays bit-identical.
     */
    @Test
    void vectorIsExactlyTheBlockedFmaChainWhateverTheTileAndThreads() {
        Random r = new Random(16);
        for (int nt : new int[] {1, 2}) {
            Parallel.setThreads(nt);
            for (int[] s : new int[][] {{300, 257, 121}, {13, 75, 75}, {121, 33, 600}, {8, 64, 256}, {250, 70, 520}}) {
                for (int tr = 0; tr < 8; tr++) {
                    boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0, acc = (tr & 4) != 0;
                    int m = s[0], n = s[1], k = s[2];
                    float[] a = randomArray(r, m * k), b = randomArray(r, k * n), c = randomArray(r, m * n);
                    float[] want = blockedFmaChain(ta, tb, acc, m, n, k, a, b, c);
                    VectorSgemm.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, acc);
                    int at = java.util.Arrays.mismatch(c, want);
                    assertThat(at).as("m=%d n=%d k=%d transA=%b transB=%b acc=%b threads=%d (%s): first difference at %d",
                            m, n, k, ta, tb, acc, nt, VectorSgemm.describe(), at).isEqualTo(-1);
                }
            }
        }
    }

    /** C as {@link #vectorIsExactlyTheBlockedFmaChainWhateverTheTileAndThreads} defines it: one FMA chain per K block. */
    private static float[] blockedFmaChain(boolean ta, boolean tb, boolean acc, int m, int n, int k, float[] a, float[] b, float[] c) {
        float[] want = c.clone();
        int kb = (k + VectorSgemm.KC - 1) / VectorSgemm.KC, kc = (k + kb - 1) / kb;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                for (int p0 = 0; p0 < k; p0 += kc) {
                    float sum = 0f;
                    for (int p = p0; p < Math.min(k, p0 + kc); p++) {
                        sum = Math.fma(ta ? a[p * m + i] : a[i * k + p], tb ? b[j * k + p] : b[p * n + j], sum);
                    }
                    want[i * n + j] = p0 == 0 && !acc ? sum : sum + want[i * n + j];
                }
            }
        }
        return want;
    }

    /**
     * The linear layer's fused bias: op(A)·Bᵀ + bias is the blocked FMA chain, rounded, plus bias[j], bit for bit, in
     * full tiles (where the kernel adds the bias before its store), edge tiles and K-blocked products.
     */
    @Test
    void gemmWithBiasIsTheProductThenTheBias() {
        Random r = new Random(17);
        for (int nt : new int[] {1, 2}) {
            Parallel.setThreads(nt);
            for (int[] s : new int[][] {{300, 257, 121}, {64, 64, 256}, {121, 33, 600}, {2400 / 8, 256, 2818 / 4}, {5, 7, 3}}) {
                for (boolean ta : new boolean[] {false, true}) {
                    int m = s[0], n = s[1], k = s[2];
                    float[] a = randomArray(r, m * k), b = randomArray(r, k * n), bias = randomArray(r, n);
                    float[] want = blockedFmaChain(ta, true, false, m, n, k, a, b, new float[m * n]);
                    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) want[i * n + j] += bias[j];
                    float[] c = randomArray(r, m * n);              // overwritten, never read
                    Sgemm.gemmWithBias(ta, m, n, k, a, ta ? m : k, b, k, bias, c);
                    int at = java.util.Arrays.mismatch(c, want);
                    assertThat(at).as("m=%d n=%d k=%d transA=%b threads=%d (%s): first difference at %d",
                            m, n, k, ta, nt, VectorSgemm.describe(), at).isEqualTo(-1);
                }
            }
        }
    }

    @Test
    void vectorWideBUsesColumnSlabs() {
        // k·n above the packed-B limit (4M floats): processed in column slabs.
        Random r = new Random(15);
        check(VECTOR, r, 9, 14_100, 300, false, false, false, false);
        check(VECTOR, r, 9, 14_100, 300, true, true, true, true);
    }

    /** Runs every shape in all four transpose combinations, accumulate on and off, padded and unpadded. */
    static void sweep(SKernel kern, long seed) {
        Random r = new Random(seed);
        for (int[] s : shapes()) {
            for (int tr = 0; tr < 4; tr++) {
                boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
                check(kern, r, s[0], s[1], s[2], ta, tb, true, false);
                check(kern, r, s[0], s[1], s[2], ta, tb, r.nextBoolean(), true);
            }
        }
    }

    /**
     * One random product: non-zero offsets and (if padded) leading dimensions larger than the row length;
     * C's m×n block starts as NaN (must be overwritten) or random values (accumulate); everything else in C
     * holds SENTINEL and must be untouched.
     */
    static void check(SKernel kern, Random r, int m, int n, int k, boolean ta, boolean tb, boolean padded,
                      boolean accumulate) {
        int aRows = ta ? k : m, aCols = ta ? m : k;
        int bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + (padded ? 1 + r.nextInt(5) : 0);
        int ldb = bCols + (padded ? 1 + r.nextInt(5) : 0);
        int ldc = n + (padded ? 1 + r.nextInt(5) : 0);
        int aOff = padded ? r.nextInt(7) : 0, bOff = padded ? r.nextInt(7) : 0, cOff = padded ? r.nextInt(7) : 0;
        float[] a = randomArray(r, aOff + aRows * lda + 3);
        float[] b = randomArray(r, bOff + bRows * ldb + 3);
        float[] c = new float[cOff + m * ldc + 3];
        java.util.Arrays.fill(c, SENTINEL);
        double[] ref = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float v = accumulate ? r.nextFloat() * 2 - 1 : Float.NaN;
                c[cOff + i * ldc + j] = v;
                ref[i * n + j] = accumulate ? v : 0;
            }
        }
        Dgemm.gemm(ta, tb, m, n, k, toDouble(a), aOff, lda, toDouble(b), bOff, ldb, ref, 0, n, accumulate);
        kern.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        String what = String.format("m=%d n=%d k=%d transA=%b transB=%b lda=%d ldb=%d ldc=%d acc=%b",
                                    m, n, k, ta, tb, lda, ldb, ldc, accumulate);
        assertClose(c, cOff, ldc, ref, m, n, k, what);
        assertUntouched(c, cOff, ldc, m, n, what);
    }

    static float[] randomArray(Random r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            float v = r.nextFloat() * 2 - 1;
            x[i] = v == 0f ? 0.5f : v;
        }
        return x;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    static double tolerance(int k) {
        return 1e-6 * Math.sqrt(Math.max(k, 1));
    }

    static void assertClose(float[] c, int cOff, int ldc, double[] ref, int m, int n, int k, String what) {
        double num = 0, den = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double d = c[cOff + i * ldc + j] - ref[i * n + j];
                num += d * d;
                den += ref[i * n + j] * ref[i * n + j];
            }
        }
        double rel = Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
        assertThat(rel).as("relative error, %s", what).isLessThanOrEqualTo(tolerance(k));
    }

    static void assertUntouched(float[] c, int cOff, int ldc, int m, int n, String what) {
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cOff;
            boolean inBlock = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inBlock && c[idx] != SENTINEL) {
                throw new AssertionError("C[" + idx + "] outside the m×n block was written (" + c[idx] + "): " + what);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- k == 0, edge

    @Test
    void kZeroGivesZerosOrLeavesC() {
        for (SKernel kern : new SKernel[] {VECTOR, SCALAR, DISPATCH}) {
            float[] c = {SENTINEL, 1, 2, 3, 4, 5, 6, SENTINEL};
            kern.gemm(false, false, 2, 3, 0, new float[0], 0, 1, new float[0], 0, 1, c, 1, 3, true);
            assertThat(c).containsExactly(SENTINEL, 1, 2, 3, 4, 5, 6, SENTINEL);
            kern.gemm(true, true, 2, 3, 0, new float[0], 0, 1, new float[0], 0, 1, c, 1, 3, false);
            assertThat(c).containsExactly(SENTINEL, 0, 0, 0, 0, 0, 0, SENTINEL);
        }
        double[] d = {9, 1, 2, 9};
        Dgemm.gemm(false, false, 1, 2, 0, new double[0], 0, 1, new double[0], 0, 1, d, 1, 2, false);
        assertThat(d).containsExactly(9, 0, 0, 9);
    }

    @Test
    void emptyMOrNIsNoOp() {
        float[] c = {SENTINEL};
        Sgemm.gemm(false, false, 0, 5, 3, new float[0], 0, 3, new float[15], 0, 5, c, 0, 5, false);
        Sgemm.gemm(false, false, 5, 0, 3, new float[15], 0, 3, new float[0], 0, 5, c, 0, 0, false);
        Sgemm.gemmBatched(0, false, false, 2, 2, 2, new float[0], 0, 2, 4, new float[0], 0, 2, 4, c, 0, 2, 4, false);
        assertThat(c).containsExactly(SENTINEL);
    }

    @Test
    void argumentsAreChecked() {
        float[] a = new float[6], b = new float[6], c = new float[4];
        assertThatThrownBy(() -> Sgemm.gemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, c, 1, 2, false))
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Sgemm.gemm(false, false, 2, 2, 3, a, 0, 2, b, 0, 2, c, 0, 2, false))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sgemm.gemm(false, false, -1, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sgemm.gemmBatched(2, false, false, 2, 2, 3, a, 0, 3, 0, b, 0, 2, 0, c, 0, 2, 0, false))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Dgemm.gemm(false, true, 2, 2, 3, new double[6], 0, 3, new double[5], 0, 3,
                                            new double[4], 0, 2, false))
            .isInstanceOf(IndexOutOfBoundsException.class);
    }

    // ---------------------------------------------------------------------------------------------- batched

    @Test
    void batchedMatchesReference() {
        Random r = new Random(21);
        SBatched vec = VectorSgemm::gemmBatched, sca = ScalarSgemm::gemmBatched, dis = Sgemm::gemmBatched;
        int[][] shapes = {{75, 75, 32}, {3, 17, 1}, {33, 16, 121}, {130, 140, 150}};
        int[] batches = {1, 2, 5, 9};
        for (SBatched kern : new SBatched[] {vec, sca, dis}) {
            for (int[] s : shapes) {
                for (int batch : batches) {
                    for (int mode = 0; mode < 3; mode++) { // 0: all strided, 1: strideA = 0, 2: strideB = 0
                        int tr = r.nextInt(4);
                        checkBatched(kern, r, batch, s[0], s[1], s[2], (tr & 1) != 0, (tr & 2) != 0,
                                     mode == 1, mode == 2, r.nextBoolean());
                    }
                }
            }
        }
    }

    @Test
    void batchedWithOtherThreadCounts() {
        Random r = new Random(22);
        for (int nt : new int[] {1, 3}) {
            Parallel.setThreads(nt);
            for (int batch : new int[] {2, 3, 13}) {
                checkBatched(VectorSgemm::gemmBatched, r, batch, 75, 75, 32, false, true, false, true, false);
                checkBatched(VectorSgemm::gemmBatched, r, batch, 140, 130, 120, true, false, true, false, true);
            }
        }
    }

    static void checkBatched(SBatched kern, Random r, int batch, int m, int n, int k, boolean ta, boolean tb,
                             boolean broadcastA, boolean broadcastB, boolean accumulate) {
        int aRows = ta ? k : m, aCols = ta ? m : k;
        int bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + r.nextInt(3), ldb = bCols + r.nextInt(3), ldc = n + r.nextInt(3);
        int aOff = r.nextInt(5), bOff = r.nextInt(5), cOff = r.nextInt(5);
        int strideA = broadcastA ? 0 : aRows * lda + r.nextInt(4);
        int strideB = broadcastB ? 0 : bRows * ldb + r.nextInt(4);
        int strideC = m * ldc + r.nextInt(4);
        float[] a = randomArray(r, aOff + (batch - 1) * strideA + aRows * lda);
        float[] b = randomArray(r, bOff + (batch - 1) * strideB + bRows * ldb);
        float[] c = new float[cOff + (batch - 1) * strideC + m * ldc + 2];
        java.util.Arrays.fill(c, SENTINEL);
        double[] ref = new double[batch * m * n];
        for (int t = 0; t < batch; t++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float v = accumulate ? r.nextFloat() * 2 - 1 : Float.NaN;
                    c[cOff + t * strideC + i * ldc + j] = v;
                    ref[(t * m + i) * n + j] = accumulate ? v : 0;
                }
            }
        }
        Dgemm.gemmBatched(batch, ta, tb, m, n, k, toDouble(a), aOff, lda, strideA, toDouble(b), bOff, ldb, strideB,
                          ref, 0, n, m * n, accumulate);
        kern.gemmBatched(batch, ta, tb, m, n, k, a, aOff, lda, strideA, b, bOff, ldb, strideB,
                         c, cOff, ldc, strideC, accumulate);
        String what = String.format("batch=%d m=%d n=%d k=%d transA=%b transB=%b strideA=%d strideB=%d acc=%b",
                                    batch, m, n, k, ta, tb, strideA, strideB, accumulate);
        for (int t = 0; t < batch; t++) {
            double[] refT = java.util.Arrays.copyOfRange(ref, t * m * n, (t + 1) * m * n);
            assertClose(c, cOff + t * strideC, ldc, refT, m, n, k, what + " t=" + t);
        }
        // Everything outside the batch's C blocks is untouched.
        boolean[] inBlock = new boolean[c.length];
        for (int t = 0; t < batch; t++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) inBlock[cOff + t * strideC + i * ldc + j] = true;
            }
        }
        for (int idx = 0; idx < c.length; idx++) {
            if (!inBlock[idx] && c[idx] != SENTINEL) throw new AssertionError("C[" + idx + "] written: " + what);
        }
    }

    @Test
    void batchedKZero() {
        float[] c = {1, 2, 3, 4};
        Sgemm.gemmBatched(2, false, false, 1, 2, 0, new float[0], 0, 1, 0, new float[0], 0, 2, 0, c, 0, 2, 2, false);
        assertThat(c).containsExactly(0, 0, 0, 0);
    }

    // ---------------------------------------------------------------------------------------------- Dgemm

    @Test
    void dgemmMatchesNaiveTripleLoop() {
        Random r = new Random(31);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {17, 16, 15}, {33, 40, 1}, {64, 3, 50}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int tr = 0; tr < 4; tr++) {
                boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
                for (boolean acc : new boolean[] {false, true}) {
                    int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
                    int aOff = 3, bOff = 1, cOff = 2;
                    double[] a = new double[aOff + (ta ? k : m) * lda];
                    double[] b = new double[bOff + (tb ? n : k) * ldb];
                    double[] c = new double[cOff + m * ldc];
                    for (int i = 0; i < a.length; i++) a[i] = r.nextDouble() * 2 - 1;
                    for (int i = 0; i < b.length; i++) b[i] = r.nextDouble() * 2 - 1;
                    for (int i = 0; i < c.length; i++) c[i] = r.nextDouble() * 2 - 1;
                    double[] expect = c.clone();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double sum = 0;
                            for (int p = 0; p < k; p++) {
                                double av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                                double bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                                sum += av * bv;
                            }
                            int ci = cOff + i * ldc + j;
                            expect[ci] = acc ? expect[ci] + sum : sum;
                        }
                    }
                    Dgemm.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);
                    for (int i = 0; i < c.length; i++) {
                        assertThat(c[i]).as("m=%d n=%d k=%d ta=%b tb=%b acc=%b idx=%d", m, n, k, ta, tb, acc, i)
                            .isCloseTo(expect[i], org.assertj.core.data.Offset.offset(1e-12));
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- other widths

    /**
     * The kernel's vector width is fixed per JVM ({@code trdetr.gemm.bits}); run the sweep for the widths other
     * than the one in use in a child JVM, so both the 256-bit (4×16) and, where available, 512-bit (4×32)
     * kernels are checked.
     */
    @Test
    void otherVectorWidthsInChildJvm() throws Exception {
        int inUse = VectorSgemm.S.vectorBitSize();
        int preferred = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        for (int bits : new int[] {256, 512}) {
            if (bits == inUse || bits > preferred) continue;
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector",
                    "-Dtrdetr.gemm.bits=" + bits, "-cp", System.getProperty("java.class.path"),
                    ChildSweep.class.getName());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("child JVM at %d bits:%n%s", bits, out).isZero();
            assertThat(out).contains("width=" + bits + " ok");
        }
    }

    /** Entry point of the child JVM. */
    public static final class ChildSweep {
        public static void main(String[] args) {
            try {
                sweep(VECTOR, 41);
                Random r = new Random(42);
                checkBatched(VectorSgemm::gemmBatched, r, 9, 75, 75, 32, false, true, false, true, false);
                checkBatched(VectorSgemm::gemmBatched, r, 2, 140, 130, 120, true, false, true, false, true);
                System.out.println("width=" + VectorSgemm.S.vectorBitSize() + " ok");
                System.exit(0);
            } catch (Throwable t) {
                t.printStackTrace(System.out);
                System.exit(1);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- Parallel

    @Test
    void parallelRunsEveryTaskExactlyOnce() {
        for (int nt : new int[] {1, 2, 3, 4}) {
            Parallel.setThreads(nt);
            assertThat(Parallel.threads()).isEqualTo(nt);
            for (int tasks : new int[] {0, 1, 2, 3, 7, 100, 1000}) {
                AtomicIntegerArray count = new AtomicIntegerArray(Math.max(tasks, 1));
                Parallel.forEach(tasks, t -> count.incrementAndGet(t));
                for (int t = 0; t < tasks; t++) assertThat(count.get(t)).as("nt=%d tasks=%d t=%d", nt, tasks, t).isEqualTo(1);
            }
        }
    }

    @Test
    void parallelReentrantCallRunsInline() {
        Parallel.setThreads(2);
        AtomicIntegerArray count = new AtomicIntegerArray(8 * 5);
        Parallel.forEach(8, outer -> Parallel.forEach(5, inner -> count.incrementAndGet(outer * 5 + inner)));
        for (int i = 0; i < 40; i++) assertThat(count.get(i)).isEqualTo(1);
        // A GEMM inside a parallel task (nested region) is also fine.
        Random r = new Random(5);
        Parallel.forEach(3, t -> check(VECTOR, new Random(100 + t), 200, 150, 130, t == 1, t == 2, true, false));
        check(VECTOR, r, 200, 150, 130, false, false, false, false);
    }

    @Test
    void setThreadsInsideATaskIsRejected() {
        Parallel.setThreads(2);
        AtomicIntegerArray rejected = new AtomicIntegerArray(4);
        Parallel.forEach(4, t -> {
            try {
                Parallel.setThreads(3);
            } catch (IllegalStateException e) {
                rejected.incrementAndGet(t);
            }
        });
        for (int t = 0; t < 4; t++) assertThat(rejected.get(t)).isEqualTo(1);
        assertThat(Parallel.threads()).isEqualTo(2);
    }

    @Test
    void parallelFromSeveralThreads() throws Exception {
        Parallel.setThreads(2);
        int callers = 4;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> err = new AtomicReference<>();
        Thread[] ts = new Thread[callers];
        for (int i = 0; i < callers; i++) {
            final int id = i;
            ts[i] = new Thread(() -> {
                try {
                    start.await();
                    for (int rep = 0; rep < 200; rep++) {
                        AtomicIntegerArray count = new AtomicIntegerArray(37);
                        Parallel.forEach(37, t -> count.incrementAndGet(t));
                        for (int t = 0; t < 37; t++) if (count.get(t) != 1) throw new AssertionError("task " + t);
                    }
                    check(VECTOR, new Random(id), 150, 140, 130, id % 2 == 0, id >= 2, true, true);
                } catch (Throwable e) {
                    err.compareAndSet(null, e);
                }
            });
            ts[i].start();
        }
        start.countDown();
        for (Thread t : ts) t.join(60_000);
        if (err.get() != null) throw new AssertionError(err.get());
    }

    @Test
    void parallelPropagatesExceptions() {
        Parallel.setThreads(2);
        AtomicIntegerArray count = new AtomicIntegerArray(10);
        assertThatThrownBy(() -> Parallel.forEach(10, t -> {
            count.incrementAndGet(t);
            if (t == 7) throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        for (int t = 0; t < 10; t++) assertThat(count.get(t)).isEqualTo(1);
        // The pool still works afterwards.
        AtomicIntegerArray again = new AtomicIntegerArray(4);
        Parallel.forEach(4, again::incrementAndGet);
        for (int t = 0; t < 4; t++) assertThat(again.get(t)).isEqualTo(1);
    }
}
