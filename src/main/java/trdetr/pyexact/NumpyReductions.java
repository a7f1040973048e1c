package trdetr.pyexact;

/**
 * NumPy's summation orders, in float64 and float32. The official metrics are means of many floats and are then
 * rounded to two decimals, so a value that lands near a rounding boundary can flip with the summation order; and the
 * official loader L2-normalises float32 features, whose bits depend on the order too. We add in NumPy's.
 *
 * <ul>
 *   <li>A reduction over a contiguous run ({@code np.sum(a)}, {@code np.mean(a)} of a 1-D array, or of a C-contiguous
 *       2-D array with no axis, which NumPy flattens; {@code np.add.reduce} along a contiguous last axis) starts from
 *       the identity 0 and adds NumPy's pairwise sum: fewer than 8 values are added in order; up to 128 values go
 *       through 8 interleaved accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), the remainder added in
 *       order; longer runs are split at half the length rounded down to a multiple of 8 and the two halves summed
 *       recursively. A float32 array is summed in float32 arithmetic throughout, as NumPy does.</li>
 *   <li>{@code a.mean(0)} of a C-contiguous (rows, cols) array adds the rows one after the other, element-wise.</li>
 * </ul>
 */
public final class NumpyReductions {
    private NumpyReductions() {}

    private static final int BLOCK = 128;

    /** {@code np.sum(a)} for a contiguous float64 array. */
    public static double sum(double[] a) {
        return sum(a, 0, a.length);
    }

    /** {@code np.sum} of the contiguous float64 run a[from, from+n). */
    public static double sum(double[] a, int from, int n) {
        return 0.0 + pairwise(a, from, n);
    }

    /**
     * {@code np.add.reduce} of the float32 run a[from, from+n) (a row of a C-contiguous float32 array, summed along its
     * last axis), in float32 arithmetic.
     */
    public static float sum(float[] a, int from, int n) {
        return 0.0f + pairwise(a, from, n);
    }

    /** {@code np.mean(a)}; NaN for an empty array, as NumPy (with a warning). */
    public static double mean(double[] a) {
        return sum(a) / a.length;
    }

    /** {@code np.mean(m)} of a rectangular 2-D array: the pairwise sum of its row-major flattening. */
    public static double mean(double[][] m) {
        int cols = m.length == 0 ? 0 : m[0].length;
        double[] flat = new double[m.length * cols];
        for (int i = 0; i < m.length; i++) {
            if (m[i].length != cols) throw new IllegalArgumentException("ragged rows");
            System.arraycopy(m[i], 0, flat, i * cols, cols);
        }
        return mean(flat);
    }

    /** {@code m.mean(0)} of a C-contiguous (rows, cols) array: rows added in order, then divided by the row count. */
    public static double[] columnMeans(double[][] m, int cols) {
        double[] acc = new double[cols];
        for (double[] row : m) {
            for (int j = 0; j < cols; j++) acc[j] += row[j];
        }
        for (int j = 0; j < cols; j++) acc[j] /= m.length;
        return acc;
    }

    // The two methods below are one algorithm, NumPy's pairwise summation of a[from, from+n), written once per type:
    // Java generics cannot range over double and float without boxing, and the float32 version must round every
    // addition to float32 (accumulating in double would change its results). Keep them line for line alike.

    /** NumPy's pairwise summation in float64. */
    private static double pairwise(double[] a, int from, int n) {
        if (n < 8) {
            // Some NumPy versions start this branch from -0.0 instead of 0.0; after the caller's 0 + (and in the
            // recursion, which never gets below 64 values) both give the same result.
            double res = 0.0;
            for (int i = 0; i < n; i++) res += a[from + i];
            return res;
        }
        if (n <= BLOCK) {
            double r0 = a[from], r1 = a[from + 1], r2 = a[from + 2], r3 = a[from + 3];
            double r4 = a[from + 4], r5 = a[from + 5], r6 = a[from + 6], r7 = a[from + 7];
            int i = 8;
            int end = n - (n % 8);
            for (; i < end; i += 8) {
                int j = from + i;
                r0 += a[j];
                r1 += a[j + 1];
                r2 += a[j + 2];
                r3 += a[j + 3];
                r4 += a[j + 4];
                r5 += a[j + 5];
                r6 += a[j + 6];
                r7 += a[j + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[from + i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwise(a, from, n2) + pairwise(a, from + n2, n - n2);
    }

    /** NumPy's pairwise summation in float32: the float64 version above with every variable a float. */
    private static float pairwise(float[] a, int from, int n) {
        if (n < 8) {
            float res = 0f;
            for (int i = 0; i < n; i++) res += a[from + i];
            return res;
        }
        if (n <= BLOCK) {
            float r0 = a[from], r1 = a[from + 1], r2 = a[from + 2], r3 = a[from + 3];
            float r4 = a[from + 4], r5 = a[from + 5], r6 = a[from + 6], r7 = a[from + 7];
            int i = 8;
            int end = n - (n % 8);
            for (; i < end; i += 8) {
                int j = from + i;
                r0 += a[j];
                r1 += a[j + 1];
                r2 += a[j + 2];
                r3 += a[j + 3];
                r4 += a[j + 4];
                r5 += a[j + 5];
                r6 += a[j + 6];
                r7 += a[j + 7];
            }
            float res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[from + i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwise(a, from, n2) + pairwise(a, from + n2, n - n2);
    }
}
