// Reductions over one axis of a packed (outer, n, inner) input, in double as the CPU backend does.
// inner == 1 (the last axis, and whole-tensor sums): one block per row, a tree over shared memory.
// inner > 1: one thread per output, walking the axis with stride inner (neighbouring threads read
// neighbouring elements, so the loads coalesce).
#include "common.cuh"

enum { SUM, MAX, MIN, LOGSUMEXP, ARGMAX, ARGMIN };

// A partial result: value and index (for arg ops and first-extreme ties), NaN wins as in the CPU backend.
struct Partial { double v; long long i; };

__device__ __forceinline__ Partial combine(int op, Partial a, Partial b) {
    // a covers smaller indices than b for MAX/MIN ties; SUM adds.
    if (op == SUM || op == LOGSUMEXP) return Partial{a.v + b.v, 0};
    if (a.i < 0) return b;
    if (b.i < 0) return a;
    bool nanA = isnan(a.v), nanB = isnan(b.v);
    Partial first = a.i <= b.i ? a : b, second = a.i <= b.i ? b : a;
    if (nanA || nanB) {
        if (isnan(first.v)) return first;
        return second;
    }
    bool takeSecond = (op == MAX || op == ARGMAX) ? second.v > first.v : second.v < first.v;
    return takeSecond ? second : first;
}

template <typename T>
__device__ double reduce_line(int op, const T* x, long long base, int n, int inner) {
    if (op == SUM) { double s = 0; for (int j = 0; j < n; j++) s += (double) x[base + (long long) j * inner]; return s; }
    if (op == LOGSUMEXP) {
        double m = -INFINITY;
        for (int j = 0; j < n; j++) m = fmax(m, (double) x[base + (long long) j * inner]);
        if (m == -INFINITY) return m;
        double s = 0;
        for (int j = 0; j < n; j++) s += exp((double) x[base + (long long) j * inner] - m);
        return m + log(s);
    }
    Partial best{(double) x[base], 0};
    for (int j = 1; j < n; j++) best = combine(op, best, Partial{(double) x[base + (long long) j * inner], j});
    return (op == ARGMAX || op == ARGMIN) ? (double) best.i : best.v;
}

template <typename T, typename O>
__device__ void reduce_columns(O* y, const T* x, int outer, int n, int inner, int op) {
    FOR_EACH(k, (long long) outer * inner) {
        long long o = k / inner, i = k % inner;
        y[k] = (O) reduce_line<T>(op, x, o * n * (long long) inner + i, n, inner);
    }
}

#define BLOCK 256

template <typename T>
__device__ Partial block_reduce(int op, Partial p) {
    __shared__ double vs[BLOCK];
    __shared__ long long is[BLOCK];
    vs[threadIdx.x] = p.v;
    is[threadIdx.x] = p.i;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            Partial r = combine(op, Partial{vs[threadIdx.x], is[threadIdx.x]},
                                Partial{vs[threadIdx.x + s], is[threadIdx.x + s]});
            vs[threadIdx.x] = r.v;
            is[threadIdx.x] = r.i;
        }
        __syncthreads();
    }
    Partial r{vs[0], is[0]};
    __syncthreads();
    return r;
}

// One block (BLOCK threads) per row of length n.
template <typename T, typename O>
__device__ void reduce_rows(O* y, const T* x, int rows, int n, int op) {
    for (int row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* r = x + (long long) row * n;
        Partial p;
        if (op == SUM) {
            double s = 0;
            for (int j = threadIdx.x; j < n; j += BLOCK) s += (double) r[j];
            p = block_reduce<T>(SUM, Partial{s, 0});
        } else if (op == LOGSUMEXP) {
            Partial m{-INFINITY, -1};
            for (int j = threadIdx.x; j < n; j += BLOCK) m = combine(MAX, m, Partial{(double) r[j], j});
            double mx = block_reduce<T>(MAX, m).v;
            double s = 0;
            if (mx != -INFINITY && !isnan(mx)) for (int j = threadIdx.x; j < n; j += BLOCK) s += exp((double) r[j] - mx);
            double total = block_reduce<T>(SUM, Partial{s, 0}).v;
            p.v = (mx == -INFINITY || isnan(mx)) ? mx : mx + log(total);
        } else {
            Partial m{0, -1};
            for (int j = threadIdx.x; j < n; j += BLOCK) m = combine(op, m, Partial{(double) r[j], j});
            p = block_reduce<T>(op, m);
            if (op == ARGMAX || op == ARGMIN) p.v = (double) p.i;
        }
        if (threadIdx.x == 0) y[row] = (O) p.v;
    }
}

#define DEFINE(name, T) \
extern "C" __global__ void reduce_columns_##name(T* y, const T* x, int outer, int n, int inner, int op) \
    { reduce_columns<T, T>(y, x, outer, n, inner, op); } \
extern "C" __global__ void argreduce_columns_##name(long long* y, const T* x, int outer, int n, int inner, int op) \
    { reduce_columns<T, long long>(y, x, outer, n, inner, op); } \
extern "C" __global__ void reduce_rows_##name(T* y, const T* x, int rows, int n, int op) \
    { reduce_rows<T, T>(y, x, rows, n, op); } \
extern "C" __global__ void argreduce_rows_##name(long long* y, const T* x, int rows, int n, int op) \
    { reduce_rows<T, long long>(y, x, rows, n, op); }
DEFINE(f32, float)
DEFINE(f64, double)
