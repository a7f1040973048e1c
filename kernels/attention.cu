// Fused attention core (trdetr.backend.Backend#attention): probs = softmax(q·kᵀ, masked with -inf),
// out = dropout(probs)·v, and its backward, for the model's shapes: Lk ≤ 128 keys, head dims d, dv ≤ 64
// (CudaAttention falls back to the composed kernels otherwise).
//
// Arithmetic mirrors the composed CPU path so the devices agree to rounding: dot products are plain sums of
// products (no FMA, this file builds with -fmad=false), softmax takes the row maximum in the tensor's type,
// exponentials and the row sum in double, a fully masked row gives zeros; dropout draws counter_uniform(seed,
// offset + i) for element i of the row-major (N, Lq, Lk) probabilities, exactly as the dropout kernel would.
//
// Launches (all 128 threads, static shared memory ≤ 42 KB in float64):
//   attention_forward:      grid (N, ⌈Lq/16⌉): scores of 16 queries against all keys (K in tiles of 32), softmax
//                           and dropout per row (one warp per row), then the tile of the output (V in tiles of 32).
//   attention_backward_q:   grid (N, ⌈Lq/16⌉): dPd = dO·Vᵀ, dP = dropout(dPd), dS = P⊙(dP − Σ dP⊙P) (written out
//                           for the next kernel), dQ = dS·K.
//   attention_backward_kv:  grid (N, ⌈Lk/16⌉): dV = dropout(P)ᵀ·dO and dK = dSᵀ·Q for 16 keys, queries in tiles of 32.
#include "common.cuh"
#include "counter_rng.cuh"

#define THREADS 128
#define WARPS (THREADS / 32)
#define QT 16          // queries per block (forward, backward_q)
#define KT 32          // keys per shared tile (forward, backward_q)
#define KT2 16         // keys per block (backward_kv)
#define QT2 32         // queries per shared tile (backward_kv)
#define LK_MAX 128
#define D_MAX 64
#define PER_THREAD (QT * D_MAX / THREADS)   // output elements per thread: 8 (KT2 · D_MAX / THREADS too)

// Element (n, i, c) of a strided 3-D view lives at offset + n·sn + i·si + c·sc.
struct View3 { int offset, sn, si, sc; };
// Element (b, η, i, j) of the (B, h, Lq, Lk) mask lives at offset + b·sb + η·sh + i·si + j·sj.
struct View4 { int offset, sb, sh, si, sj; };

__device__ __forceinline__ long long at3(const View3& v, int n, int i, int c) {
    return v.offset + (long long) n * v.sn + (long long) i * v.si + (long long) c * v.sc;
}

__device__ __forceinline__ bool masked(const boolean* mask, const View4& m, int heads, int n, int i, int j) {
    if (mask == nullptr) return false;
    const int b = n / heads, h = n % heads;
    return mask[m.offset + (long long) b * m.sb + (long long) h * m.sh + (long long) i * m.si + (long long) j * m.sj] != 0;
}

// Java's Math.max: NaN wins, otherwise the larger.
template <typename T> __device__ __forceinline__ T java_max(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    return a >= b ? a : b;
}

template <typename T> __device__ __forceinline__ T warp_max(T v) {
    for (int o = 16; o > 0; o >>= 1) v = java_max(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

__device__ __forceinline__ double warp_sum(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// The softmax value from exp(x − max) and the row sum, rounded as CpuBackend.softmax does per dtype.
__device__ __forceinline__ float softmax_value(double e, double sum, float) { return (float) (e * (1.0 / sum)); }
__device__ __forceinline__ double softmax_value(double e, double sum, double) { return e / sum; }

// Backend.dropout applied to one element with row-major index idx (p = 0: unchanged).
template <typename T>
__device__ __forceinline__ T drop(T x, long long idx, double p, T keep, unsigned long long seed, unsigned long long offset) {
    if (p <= 0) return x;
    return (double) counter_uniform(seed, offset + (unsigned long long) idx) < p ? (T) 0 : x * keep;
}

// Rows [i0, i0 + rows) of head n of the (N, ·, width) view m into a shared tile; the tile's other rows get zeros.
template <typename T, int R>
__device__ void load_rows(T (&dst)[R][D_MAX + 1], const T* m, View3 vm, int n, int i0, int rows, int width) {
    for (int e = threadIdx.x; e < R * width; e += THREADS) {
        const int i = e / width, c = e % width;
        dst[i][c] = i < rows ? m[at3(vm, n, i0 + i, c)] : (T) 0;
    }
}

// s[i][j] = Σ_c a[i][c] · m[j][c] for the block's rows i and every key j of head n, m read KT keys at a time.
template <typename T>
__device__ void rows_dot_keys(T (&s)[QT][LK_MAX], const T (&a)[QT][D_MAX + 1], T (&tile)[KT][D_MAX + 1], const T* m,
                              View3 vm, int n, int lk, int rows, int width) {
    for (int j0 = 0; j0 < lk; j0 += KT) {
        const int cols = min(KT, lk - j0);
        __syncthreads();                   // the previous tile is consumed (first pass: a is written)
        load_rows(tile, m, vm, n, j0, cols, width);
        __syncthreads();
        for (int e = threadIdx.x; e < QT * KT; e += THREADS) {
            const int i = e / KT, j = e % KT;
            if (i < rows && j < cols) {
                T acc = 0;
                for (int c = 0; c < width; c++) acc += a[i][c] * tile[j][c];
                s[i][j0 + j] = acc;
            }
        }
    }
    __syncthreads();                       // s is complete
}

// out[i][c] = Σ_j s[i][j] · m[j][c] for the block's rows (global rows i0 + i of head n), m read KT keys at a time;
// out is contiguous (N, lq, width). Thread element r is (i, c) = divmod(tid + r·THREADS, width).
template <typename T>
__device__ void weights_times(T* out, const T (&s)[QT][LK_MAX], T (&tile)[KT][D_MAX + 1], const T* m, View3 vm, int n,
                              int i0, int lq, int lk, int rows, int width) {
    T acc[PER_THREAD];
#pragma unroll
    for (int r = 0; r < PER_THREAD; r++) acc[r] = 0;
    for (int j0 = 0; j0 < lk; j0 += KT) {
        const int cols = min(KT, lk - j0);
        __syncthreads();                   // s is final; the previous tile is consumed
        load_rows(tile, m, vm, n, j0, cols, width);
        __syncthreads();
#pragma unroll
        for (int r = 0; r < PER_THREAD; r++) {
            const int e = threadIdx.x + r * THREADS, i = e / width, c = e % width;
            if (i < rows)
                for (int j = 0; j < cols; j++) acc[r] += s[i][j0 + j] * tile[j][c];
        }
    }
#pragma unroll
    for (int r = 0; r < PER_THREAD; r++) {
        const int e = threadIdx.x + r * THREADS, i = e / width, c = e % width;
        if (i < rows) out[((long long) n * lq + i0 + i) * width + c] = acc[r];
    }
}

// acc[r] += Σ_i w[i][j] · m[i][c] over the tile's rows, thread element r being (j, c) = divmod(tid + r·THREADS, width).
template <typename T>
__device__ void accumulate_transposed(T (&acc)[PER_THREAD], const T (&w)[QT2][KT2 + 1], const T (&m)[QT2][D_MAX + 1],
                                      int rows, int cols, int width) {
#pragma unroll
    for (int r = 0; r < PER_THREAD; r++) {
        const int e = threadIdx.x + r * THREADS, j = e / width, c = e % width;
        if (j < cols)
            for (int i = 0; i < rows; i++) acc[r] += w[i][j] * m[i][c];
    }
}

template <typename T>
__device__ void attention_forward(T* out, T* probs, const T* q, View3 vq, const T* k, View3 vk, const T* v, View3 vv,
                                  const boolean* mask, View4 vm, int heads, int lq, int lk, int d, int dv, double p,
                                  unsigned long long seed, unsigned long long offset) {
    __shared__ T qs[QT][D_MAX + 1];
    __shared__ T tile[KT][D_MAX + 1];      // a tile of K, later of V
    __shared__ T s[QT][LK_MAX];            // scores, then dropout(probs)
    const int n = blockIdx.x, i0 = blockIdx.y * QT;
    const int rows = min(QT, lq - i0);

    load_rows(qs, q, vq, n, i0, rows, d);
    rows_dot_keys(s, qs, tile, k, vk, n, lk, rows, d);

    // Mask, softmax and dropout: one warp per query row, each lane owning keys lane, lane + 32, ...
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const T keep = (T) (1.0 / (1.0 - p));
    for (int i = warp; i < rows; i += WARPS) {
        const int gi = i0 + i;
        const long long row = ((long long) n * lq + gi) * lk;
        T m = (T) -INFINITY;
        for (int j = lane; j < lk; j += 32) {
            const T x = masked(mask, vm, heads, n, gi, j) ? (T) -INFINITY : s[i][j];
            s[i][j] = x;
            m = java_max(m, x);
        }
        m = warp_max(m);
        if (m == (T) -INFINITY) {          // fully masked: zeros (warp-uniform branch)
            for (int j = lane; j < lk; j += 32) { probs[row + j] = (T) 0; s[i][j] = (T) 0; }
            continue;
        }
        double sum = 0;
        for (int j = lane; j < lk; j += 32) sum += exp((double) (T) (s[i][j] - m));
        sum = warp_sum(sum);
        for (int j = lane; j < lk; j += 32) {
            const T y = softmax_value(exp((double) (T) (s[i][j] - m)), sum, (T) 0);
            probs[row + j] = y;
            s[i][j] = drop(y, row + j, p, keep, seed, offset);
        }
    }

    weights_times(out, s, tile, v, vv, n, i0, lq, lk, rows, dv);
}

// go, probs and ds are contiguous (N, Lq, dv), (N, Lq, Lk), (N, Lq, Lk); dq is written contiguous (N, Lq, d).
template <typename T>
__device__ void attention_backward_q(T* dq, T* ds, const T* go, const T* probs, const T* k, View3 vk, const T* v,
                                     View3 vv, int lq, int lk, int d, int dv, double p, unsigned long long seed,
                                     unsigned long long offset) {
    __shared__ T gos[QT][D_MAX + 1];
    __shared__ T tile[KT][D_MAX + 1];      // a tile of V, later of K
    __shared__ T s[QT][LK_MAX];            // dPd, then dS
    const int n = blockIdx.x, i0 = blockIdx.y * QT;
    const int rows = min(QT, lq - i0);
    const View3 vgo = {0, lq * dv, dv, 1};

    load_rows(gos, go, vgo, n, i0, rows, dv);
    rows_dot_keys(s, gos, tile, v, vv, n, lk, rows, dv);

    // dP = dropout(dPd); dS = P⊙(dP − Σ dP⊙P), as softmax_backward (sum and products in double).
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const T keep = (T) (1.0 / (1.0 - p));
    for (int i = warp; i < rows; i += WARPS) {
        const long long row = ((long long) n * lq + i0 + i) * lk;
        double sum = 0;
        for (int j = lane; j < lk; j += 32) {
            const T g = drop(s[i][j], row + j, p, keep, seed, offset);
            s[i][j] = g;
            sum += (double) g * (double) probs[row + j];
        }
        sum = warp_sum(sum);
        for (int j = lane; j < lk; j += 32) {
            const T x = (T) ((double) probs[row + j] * ((double) s[i][j] - sum));
            s[i][j] = x;
            ds[row + j] = x;
        }
    }

    weights_times(dq, s, tile, k, vk, n, i0, lq, lk, rows, d);
}

// dV = dropout(P)ᵀ·dO and dK = dSᵀ·Q for KT2 keys; dk (N, Lk, d) and dvv (N, Lk, dv) are written contiguous.
template <typename T>
__device__ void attention_backward_kv(T* dk, T* dvv, const T* go, const T* probs, const T* ds, const T* q, View3 vq,
                                      int lq, int lk, int d, int dv, double p, unsigned long long seed,
                                      unsigned long long offset) {
    __shared__ T ps[QT2][KT2 + 1];         // dropout(P) for (query, key)
    __shared__ T dss[QT2][KT2 + 1];
    __shared__ T gos[QT2][D_MAX + 1];
    __shared__ T qs[QT2][D_MAX + 1];
    const int n = blockIdx.x, j0 = blockIdx.y * KT2;
    const int cols = min(KT2, lk - j0);
    const T keep = (T) (1.0 / (1.0 - p));
    const View3 vgo = {0, lq * dv, dv, 1};

    T accV[PER_THREAD], accK[PER_THREAD];
#pragma unroll
    for (int r = 0; r < PER_THREAD; r++) { accV[r] = 0; accK[r] = 0; }
    for (int i0 = 0; i0 < lq; i0 += QT2) {
        const int rows = min(QT2, lq - i0);
        __syncthreads();                   // the previous query tile is consumed
        for (int e = threadIdx.x; e < QT2 * KT2; e += THREADS) {
            const int i = e / KT2, j = e % KT2;
            T y = 0, g = 0;
            if (i < rows && j < cols) {
                const long long idx = ((long long) n * lq + i0 + i) * lk + j0 + j;
                y = drop(probs[idx], idx, p, keep, seed, offset);
                g = ds[idx];
            }
            ps[i][j] = y;
            dss[i][j] = g;
        }
        load_rows(gos, go, vgo, n, i0, rows, dv);
        load_rows(qs, q, vq, n, i0, rows, d);
        __syncthreads();
        accumulate_transposed(accV, ps, gos, rows, cols, dv);
        accumulate_transposed(accK, dss, qs, rows, cols, d);
    }
#pragma unroll
    for (int r = 0; r < PER_THREAD; r++) {
        const int e = threadIdx.x + r * THREADS;
        if (e / dv < cols) dvv[((long long) n * lk + j0 + e / dv) * dv + e % dv] = accV[r];
        if (e / d < cols) dk[((long long) n * lk + j0 + e / d) * d + e % d] = accK[r];
    }
}

#define DEFINE(name, T) \
extern "C" __global__ void __launch_bounds__(THREADS) attention_forward_##name(T* out, T* probs, const T* q, View3 vq, \
        const T* k, View3 vk, const T* v, View3 vv, const boolean* mask, View4 vm, int heads, int lq, int lk, int d, \
        int dv, double p, unsigned long long seed, unsigned long long offset) \
    { attention_forward<T>(out, probs, q, vq, k, vk, v, vv, mask, vm, heads, lq, lk, d, dv, p, seed, offset); } \
extern "C" __global__ void __launch_bounds__(THREADS) attention_backward_q_##name(T* dq, T* ds, const T* go, \
        const T* probs, const T* k, View3 vk, const T* v, View3 vv, int lq, int lk, int d, int dv, double p, \
        unsigned long long seed, unsigned long long offset) \
    { attention_backward_q<T>(dq, ds, go, probs, k, vk, v, vv, lq, lk, d, dv, p, seed, offset); } \
extern "C" __global__ void __launch_bounds__(THREADS) attention_backward_kv_##name(T* dk, T* dvv, const T* go, \
        const T* probs, const T* ds, const T* q, View3 vq, int lq, int lk, int d, int dv, double p, \
        unsigned long long seed, unsigned long long offset) \
    { attention_backward_kv<T>(dk, dvv, go, probs, ds, q, vq, lq, lk, d, dv, p, seed, offset); }
DEFINE(f32, float)
DEFINE(f64, double)
