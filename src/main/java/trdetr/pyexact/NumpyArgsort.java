package trdetr.pyexact;

/**
 * {@code np.argsort(a)} for a float64 array with NumPy's default kind ("quicksort"), reproduced so that ties come
 * out in NumPy's order. The moment-retrieval AP visits ground-truth windows in the reverse of this order and locks
 * the first unlocked match, so with tied IoUs the order decides which window a prediction takes.
 *
 * <p>NumPy's generic float64 argsort (the one NumPy 1.24 runs; from 1.25 on, CPUs with AVX-512 take a vectorised
 * sort with its own tie order) is an introsort: median-of-three partitioning while more than 16 elements remain,
 * insertion sort below that (hence stable for arrays of at most 16), heapsort when the depth budget
 * 2·floor(log2 n) runs out. NaN sorts after every number; -0.0 and 0.0 are equal.
 */
public final class NumpyArgsort {
    private NumpyArgsort() {}

    /** NumPy's SMALL_QUICKSORT: partitions stop once at most 16 elements remain. */
    private static final int SMALL = 15;

    /** NumPy's float ordering: a before b, with NaN after everything. */
    static boolean less(double a, double b) {
        return a < b || (b != b && a == a);
    }

    /** The permutation {@code np.argsort(v)} returns. */
    public static int[] argsort(double[] v) {
        int n = v.length;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        if (n < 2) return idx;
        int[] stack = new int[128];
        int[] depthStack = new int[64];
        int sp = 0, dsp = 0;
        int pl = 0, pr = n - 1;
        int cdepth = 2 * (31 - Integer.numberOfLeadingZeros(n));
        while (true) {
            if (cdepth < 0) {
                heapsort(v, idx, pl, pr - pl + 1);
            } else {
                while (pr - pl > SMALL) {
                    int pm = pl + ((pr - pl) >> 1);
                    if (less(v[idx[pm]], v[idx[pl]])) swap(idx, pm, pl);
                    if (less(v[idx[pr]], v[idx[pm]])) swap(idx, pr, pm);
                    if (less(v[idx[pm]], v[idx[pl]])) swap(idx, pm, pl);
                    double vp = v[idx[pm]];
                    int pi = pl, pj = pr - 1;
                    swap(idx, pm, pj);
                    while (true) {
                        do {
                            ++pi;
                        } while (less(v[idx[pi]], vp));
                        do {
                            --pj;
                        } while (less(vp, v[idx[pj]]));
                        if (pi >= pj) break;
                        swap(idx, pi, pj);
                    }
                    swap(idx, pi, pr - 1);
                    // Continue with the smaller side; the larger one waits on the stack.
                    if (pi - pl < pr - pi) {
                        stack[sp++] = pi + 1;
                        stack[sp++] = pr;
                        pr = pi - 1;
                    } else {
                        stack[sp++] = pl;
                        stack[sp++] = pi - 1;
                        pl = pi + 1;
                    }
                    depthStack[dsp++] = --cdepth;
                }
                for (int pi = pl + 1; pi <= pr; ++pi) {
                    int vi = idx[pi];
                    double vv = v[vi];
                    int pj = pi;
                    while (pj > pl && less(vv, v[idx[pj - 1]])) {
                        idx[pj] = idx[pj - 1];
                        pj--;
                    }
                    idx[pj] = vi;
                }
            }
            if (sp == 0) break;
            pr = stack[--sp];
            pl = stack[--sp];
            cdepth = depthStack[--dsp];
        }
        return idx;
    }

    /** NumPy's heapsort of idx[start, start+n) (1-based heap over that range), the introsort fallback. */
    private static void heapsort(double[] v, int[] idx, int start, int n) {
        int base = start - 1; // a[k] == idx[base + k]
        for (int l = n >> 1; l > 0; --l) siftDown(v, idx, base, idx[base + l], l, n);
        for (; n > 1; ) {
            int tmp = idx[base + n];
            idx[base + n] = idx[base + 1];
            n--;
            siftDown(v, idx, base, tmp, 1, n);
        }
    }

    /** The heap's sift-down, as both phases of NumPy's heapsort run it: tmp, taken from a[i], sinks into a[1..n]. */
    private static void siftDown(double[] v, int[] idx, int base, int tmp, int i, int n) {
        int j = i << 1;
        while (j <= n) {
            if (j < n && less(v[idx[base + j]], v[idx[base + j + 1]])) j++;
            if (less(v[tmp], v[idx[base + j]])) {
                idx[base + i] = idx[base + j];
                i = j;
                j += j;
            } else {
                break;
            }
        }
        idx[base + i] = tmp;
    }

    /** The indices of v from largest to smallest as {@code v.argsort()[::-1]} gives them (NaN first). */
    public static int[] argsortDescending(double[] v) {
        int[] a = argsort(v);
        for (int i = 0, j = a.length - 1; i < j; i++, j--) swap(a, i, j);
        return a;
    }

    /** {@code np.argmax(v)}: the first maximum, or the first NaN if there is one. */
    public static int argmax(double[] v) {
        if (v.length == 0) throw new IllegalArgumentException("argmax of an empty sequence");
        int best = 0;
        if (Double.isNaN(v[0])) return 0;
        for (int i = 1; i < v.length; i++) {
            if (Double.isNaN(v[i])) return i;
            if (v[i] > v[best]) best = i;
        }
        return best;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
