package trdetr.backend.cpu;

/**
 * Float32 matrix product, the CPU backend's entry point.
 *
 * <p>Dispatches to {@link VectorSgemm} (Vector API; packed, blocked, multi-threaded through {@link Parallel})
 * when the module {@code jdk.incubator.vector} is in the boot layer, and to {@link ScalarSgemm} otherwise or
 * when the system property {@code trdetr.gemm=scalar} is set. {@code VectorSgemm} is only loaded behind that
 * check, so this class works on a JVM started without {@code --add-modules jdk.incubator.vector}.
 *
 * <p>Arguments are checked up front (dimensions, leading dimensions, strides and that every element read or
 * written lies inside its array); an {@link IllegalArgumentException} or {@link IndexOutOfBoundsException}
 * is thrown before anything is written.
 */
public final class Sgemm {

    /** True when the Vector API kernel is used. */
    public static final boolean VECTOR = vectorAvailable()
            && !"scalar".equalsIgnoreCase(System.getProperty("trdetr.gemm", ""));

    private Sgemm() {}

    private static boolean vectorAvailable() {
        try {
            return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        } catch (Throwable t) {
            return false;
        }
    }

    /** A short description of the kernel in use, for logs. */
    public static String describe() {
        return VECTOR ? VectorSgemm.describe() : "scalar";
    }

    /** C = op(A)·op(B), or C += op(A)·op(B) when accumulate. Row-major. op(A) is m×k, op(B) is k×n.
     *  A: !transA → element (i,p) at a[aOff + i*lda + p];  transA → at a[aOff + p*lda + i].
     *  B: !transB → element (p,j) at b[bOff + p*ldb + j];  transB → at b[bOff + j*ldb + p].
     *  C: element (i,j) at c[cOff + i*ldc + j].
     *  k == 0 gives zeros (or leaves C when accumulating); m == 0 or n == 0 does nothing.
     *  C must not overlap A or B. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
        checkArgs(1, transA, transB, m, n, k, a.length, aOff, lda, 0, b.length, bOff, ldb, 0, c.length, cOff, ldc, 0);
        if (m == 0 || n == 0) return;
        if (VECTOR) {
            VectorSgemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        } else {
            ScalarSgemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        }
    }

    /** Whether {@link #gemmWithBias} is available (the Vector API kernel; the scalar one has no bias epilogue). */
    public static boolean fusesBias() { return VECTOR; }

    /**
     * C (m×n, ldc n, offset 0) = op(A)·Bᵀ + bias in one pass: B stored (n, k), bias (n) added to every row of the
     * product's rounded result as each tile is finished, bit-identical to the product followed by the addition.
     * Only where {@link #fusesBias()}.
     */
    public static void gemmWithBias(boolean transA, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
                                    float[] bias, float[] c) {
        checkArgs(1, transA, true, m, n, k, a.length, 0, lda, 0, b.length, 0, ldb, 0, c.length, 0, n, 0);
        if (bias.length < n) throw new IllegalArgumentException("gemmWithBias: bias has " + bias.length + " elements for " + n + " columns");
        if (!VECTOR) throw new IllegalStateException("gemmWithBias needs the Vector API kernel");
        if (k == 0) {                                          // an empty product: every row is the bias
            for (int i = 0; i < m; i++) System.arraycopy(bias, 0, c, i * n, n);
            return;
        }
        VectorSgemm.gemm(transA, true, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false, bias);
    }

    /**
     * C = op(A)·op(B) as {@link #gemm}, computed on the calling thread alone (for kernels that split their own work
     * over the threads), only where {@link #fusesBias()}; arguments are not checked. Every element is the same FMA
     * chain as {@link #gemm} gives it.
     */
    static void gemmOnThisThread(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        VectorSgemm.gemmSerial(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, false);
    }

    /**
     * op(B) (k×n) packed once for many products ({@link #gemmPacked}): a recurrence's weight, taken step after step.
     * Only where {@link #fusesBias()}; k &gt; 0.
     */
    static float[] pack(boolean transB, int n, int k, float[] b, int ldb) {
        checkArgs(1, false, transB, 1, n, k, k, 0, k, 0, b.length, 0, ldb, 0, n, 0, n, 0);
        if (k == 0) throw new IllegalArgumentException("pack: k = 0");
        return VectorSgemm.packWhole(transB, n, k, b, 0, ldb);
    }

    /**
     * C (m×n, ldc n, offset 0) = A·op(B) (+ bias[j] on column j, when not null) with op(B) from {@link #pack}: the
     * bits of {@link #gemm} and {@link #gemmWithBias} on the unpacked B.
     */
    static void gemmPacked(int m, int n, int k, float[] a, int lda, float[] packedB, float[] bias, float[] c) {
        checkArgs(1, false, false, m, n, k, a.length, 0, lda, 0, n * k, 0, n, 0, c.length, 0, n, 0);
        VectorSgemm.gemmPrepacked(false, m, n, k, a, 0, lda, packedB, c, 0, n, bias);
    }

    /** The same for {@code batch} independent products; matrix t uses offsets aOff+t*strideA, bOff+t*strideB,
     *  cOff+t*strideC (a stride of 0 broadcasts one operand over the batch; strideC must separate the
     *  C blocks when batch > 1). */
    public static void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                                   float[] a, int aOff, int lda, int strideA, float[] b, int bOff, int ldb, int strideB,
                                   float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        checkArgs(batch, transA, transB, m, n, k, a.length, aOff, lda, strideA, b.length, bOff, ldb, strideB,
                  c.length, cOff, ldc, strideC);
        if (batch == 0 || m == 0 || n == 0) return;
        if (VECTOR) {
            VectorSgemm.gemmBatched(batch, transA, transB, m, n, k, a, aOff, lda, strideA, b, bOff, ldb, strideB,
                                    c, cOff, ldc, strideC, accumulate);
        } else {
            ScalarSgemm.gemmBatched(batch, transA, transB, m, n, k, a, aOff, lda, strideA, b, bOff, ldb, strideB,
                                    c, cOff, ldc, strideC, accumulate);
        }
    }

    /**
     * Validates a (batched) GEMM call: non-negative sizes and strides, leading dimensions at least the stored
     * row length (when there is more than one stored row), C blocks of different batch entries not
     * overlapping, and every element touched inside its array. Shared with {@link Dgemm}.
     */
    static void checkArgs(int batch, boolean transA, boolean transB, int m, int n, int k,
                          int aLen, int aOff, int lda, int strideA, int bLen, int bOff, int ldb, int strideB,
                          int cLen, int cOff, int ldc, int strideC) {
        if (batch < 0 || m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size: batch=" + batch + " m=" + m + " n=" + n + " k=" + k);
        }
        if (strideA < 0 || strideB < 0 || strideC < 0) {
            throw new IllegalArgumentException("negative stride: " + strideA + ", " + strideB + ", " + strideC);
        }
        if (batch == 0 || m == 0 || n == 0) return;
        // C: m rows of n.
        checkOperand("C", m, n, cLen, cOff, ldc, strideC, batch);
        if (batch > 1 && strideC < (long) (m - 1) * ldc + n) {
            throw new IllegalArgumentException("strideC " + strideC + " makes the C blocks overlap (m=" + m
                                               + ", n=" + n + ", ldc=" + ldc + ")");
        }
        if (k == 0) return;
        // A stored as (transA ? k×m : m×k), B stored as (transB ? n×k : k×n).
        checkOperand("A", transA ? k : m, transA ? m : k, aLen, aOff, lda, strideA, batch);
        checkOperand("B", transB ? n : k, transB ? k : n, bLen, bOff, ldb, strideB, batch);
    }

    private static void checkOperand(String name, int rows, int cols, int len, int off, int ld, int stride, int batch) {
        if (rows > 1 && ld < cols) {
            throw new IllegalArgumentException("ld" + name.toLowerCase() + " = " + ld + " < row length " + cols);
        }
        long last = (long) off + (long) (batch - 1) * stride + (long) (rows - 1) * ld + cols - 1;
        if (off < 0 || last >= len) {
            throw new IndexOutOfBoundsException(name + ": elements [" + off + ", " + last + "] outside array of length " + len);
        }
    }
}
