// Index kernels: gather and scatter-add along an axis (torch.gather / scatter_add), cumulative sums, and a
// stable argsort of short rows.
#include "common.cuh"

// An index outside [0, limit) is recorded in *bad (the first one seen wins) and the element is skipped;
// the host reads *bad back and raises the same error as the CPU backend.
__device__ __forceinline__ bool index_ok(long long j, int limit, long long* bad) {
    if (j >= 0 && j < limit) return true;
    atomicCAS((unsigned long long*) bad, (unsigned long long) 0x7fffffffffffffffLL, (unsigned long long) j);
    return false;
}

// out[i] = a[base(i) + index[i]·step]; base(i) is a's layout with the gathered axis' stride zeroed.
template <typename T>
__device__ void gather(T* y, const T* a, Layout la, int step, int limit, const long long* idx, Layout li,
                       long long n, long long* bad) {
    FOR_EACH(i, n) {
        long long j = idx[at(li, i)];
        y[i] = index_ok(j, limit, bad) ? a[at(la, i) + j * step] : (T) 0;
    }
}

// out (zero-filled, contiguous) [base(i) + index[i]·step] += src[i]. Atomic adds: the order of equal-index
// additions varies, so results may differ from the CPU in the last bits.
template <typename T>
__device__ void scatter_add(T* out, Layout lo, int step, int limit, const long long* idx, Layout li, const T* src,
                            Layout ls, long long n, long long* bad) {
    FOR_EACH(i, n) {
        long long j = idx[at(li, i)];
        if (index_ok(j, limit, bad)) atomicAdd(out + at(lo, i) + j * step, src[at(ls, i)]);
    }
}

// One thread per (outer, inner) line of a packed (outer, n, inner) tensor; double accumulator, each partial
// sum rounded once (as the CPU backend).
template <typename T>
__device__ void cumsum(T* y, const T* x, int outer, int n, int inner, int reverse) {
    FOR_EACH(k, (long long) outer * inner) {
        long long o = k / inner, i = k % inner;
        double s = 0;
        for (int jj = 0; jj < n; jj++) {
            int j = reverse ? n - 1 - jj : jj;
            long long p = (o * n + j) * inner + i;
            s += (double) x[p];
            y[p] = from_double<T>(s);
        }
    }
}

// Stable argsort of packed rows: element j's rank is the number of elements that sort before it. O(n) per
// element, which is nothing for the model's rows (queries, clips) and needs no shared memory.
template <typename T>
__device__ void argsort(long long* out, const T* x, int rows, int n, int descending) {
    FOR_EACH(k, (long long) rows * n) {
        long long row = k / n;
        int j = (int) (k % n);
        const T* r = x + row * n;
        double v = r[j];
        int rank = 0;
        for (int q = 0; q < n; q++) {
            int c = java_compare((double) r[q], v);
            if (descending) c = -c;
            if (c < 0 || (c == 0 && q < j)) rank++;
        }
        out[row * n + rank] = j;
    }
}

#define DEFINE(name, T) \
extern "C" __global__ void gather_##name(T* y, const T* a, Layout la, int step, int limit, const long long* idx, \
        Layout li, long long n, long long* bad) { gather<T>(y, a, la, step, limit, idx, li, n, bad); } \
extern "C" __global__ void cumsum_##name(T* y, const T* x, int outer, int n, int inner, int reverse) \
    { cumsum<T>(y, x, outer, n, inner, reverse); } \
extern "C" __global__ void argsort_##name(long long* out, const T* x, int rows, int n, int descending) \
    { argsort<T>(out, x, rows, n, descending); }
DEFINE(f32, float)
DEFINE(f64, double)
DEFINE(i64, long long)
DEFINE(bool, boolean)

#define DEFINE_SCATTER(name, T) \
extern "C" __global__ void scatter_add_##name(T* out, Layout lo, int step, int limit, const long long* idx, Layout li, \
        const T* src, Layout ls, long long n, long long* bad) { scatter_add<T>(out, lo, step, limit, idx, li, src, ls, n, bad); }
DEFINE_SCATTER(f32, float)
DEFINE_SCATTER(f64, double)
