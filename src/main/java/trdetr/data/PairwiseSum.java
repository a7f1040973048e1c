package trdetr.data;

/**
 * NumPy's pairwise summation of float32 values (the algorithm behind {@code np.add.reduce} on a contiguous axis),
 * reproduced operation for operation so that feature normalisation gives the same bits as the official loader:
 * fewer than 8 values are added in order; up to 128 values go through 8 interleaved accumulators combined as
 * ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), the remainder added in order; longer runs are split at half the length
 * rounded down to a multiple of 8 and the two halves summed recursively.
 */
final class PairwiseSum {
    private PairwiseSum() {}

    private static final int BLOCK = 128;

    static float of(float[] a, int from, int n) {
        if (n < 8) {
            float res = 0f;
            for (int i = 0; i < n; i++) res += a[from + i];
            // Some NumPy versions start this branch from -0.0 instead of 0.0; for sums of squares (never -0.0)
            // both give the same result.
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
        return of(a, from, n2) + of(a, from + n2, n - n2);
    }
}
