package trdetr.eval;

/**
 * NumPy's float64 summation orders. The official metrics are means of many floats and are then rounded to two
 * decimals, so a value that lands near a rounding boundary can flip with the summation order; we add in NumPy's.
 *
 * <ul>
 *   <li>A reduction over a contiguous run ({@code np.mean(a)} of a 1-D array, or of a C-contiguous 2-D array with no
 *       axis, which NumPy flattens) starts from the identity 0.0 and adds NumPy's pairwise sum: blocks of at most
 *       128 summed with 8 interleaved accumulators, larger runs split in two halves rounded to multiples of 8.</li>
 *   <li>{@code a.mean(0)} of a C-contiguous (rows, cols) array adds the rows one after the other, element-wise.</li>
 * </ul>
 */
public final class NumpyReductions {
    private NumpyReductions() {}

    private static final int BLOCK = 128;

    /** {@code np.sum(a)} for a contiguous float64 array. */
    public static double sum(double[] a) {
        return 0.0 + pairwise(a, 0, a.length);
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

    /** NumPy's pairwise summation of a[off, off+n). */
    static double pairwise(double[] a, int off, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) res += a[off + i];
            return res;
        }
        if (n <= BLOCK) {
            double r0 = a[off], r1 = a[off + 1], r2 = a[off + 2], r3 = a[off + 3];
            double r4 = a[off + 4], r5 = a[off + 5], r6 = a[off + 6], r7 = a[off + 7];
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                r0 += a[off + i];
                r1 += a[off + i + 1];
                r2 += a[off + i + 2];
                r3 += a[off + i + 3];
                r4 += a[off + i + 4];
                r5 += a[off + i + 5];
                r6 += a[off + i + 6];
                r7 += a[off + i + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[off + i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwise(a, off, n2) + pairwise(a, off + n2, n - n2);
    }
}
