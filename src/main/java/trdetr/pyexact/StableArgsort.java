package trdetr.pyexact;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Ascending argsort that keeps equal values in index order. The official code calls {@code np.argsort} with its
 * default kind ("quicksort", really introsort, and on recent NumPy builds a SIMD sort that depends on the CPU), which
 * is not stable: ties between equal aggregated saliency scores can come out in any order. For up to 16 elements
 * NumPy's sort is an insertion sort and therefore stable, so this matches it exactly there; for longer arrays with
 * ties the official choice of hard positive/negative (and TVSum's upper-half mask) is implementation-defined and we
 * take the stable order: the hard positive is the last index among the maximal scores, the hard negative the first
 * index among the minimal ones.
 */
public final class StableArgsort {
    private StableArgsort() {}

    public static int[] of(long[] values) {
        Integer[] idx = boxedRange(values.length);
        Arrays.sort(idx, Comparator.comparingLong(i -> values[i])); // TimSort: stable
        return unbox(idx);
    }

    public static int[] of(double[] values) {
        Integer[] idx = boxedRange(values.length);
        Arrays.sort(idx, (a, b) -> Double.compare(values[a], values[b]));
        return unbox(idx);
    }

    private static Integer[] boxedRange(int n) {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return idx;
    }

    private static int[] unbox(Integer[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) out[i] = idx[i];
        return out;
    }
}
