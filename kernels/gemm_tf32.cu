// TF32 tensor-core batched GEMM (sm_80+): C[b] = op(A[b]) · op(B[b]), row-major operands, either transposed,
// FP32 accumulation. The first speed path of CudaGemm (variant "legacy"); kernels/gemm_tf32_pipelined.cuh holds
// its cp.async multi-stage successors (issue #4), and kernels/gemm.cu stays the exact FP32 verification path.
// gemm_tf32_reduce (the split-K sum) and mma_tf32_peak (the ceiling) here serve every variant.
//
// Design (why):
//  - mma.sync.m16n8k8 TF32 through inline PTX, so the PTX needs nothing newer than ISA 7.0 (we pin 8.0) and one
//    PTX serves Ampere, Ada and Hopper (wgmma would be Hopper-only and ISA 8.0+ "sm_90a" specific).
//  - Operands are rounded to TF32 with cvt.rna (round to nearest, ties away) once, when a tile is staged into
//    shared memory; the tensor core would otherwise truncate the low 13 mantissa bits (a biased error).
//  - Block tile 128×128, K in steps of 16, 256 threads = 8 warps as 2 (M) × 4 (N), each warp a 64×32 tile
//    (4 × 4 mma tiles, 64 accumulators per thread).
//  - Global → register → shared staging, double-buffered (the next tile's loads are in flight while the current
//    tile is multiplied): plain 4-byte loads work for every leading dimension (the model's K = 2818 rows are not
//    16-byte aligned, which cp.async.cg would need), and the TF32 rounding happens on the way.
//  - Shared tiles keep the global layout (k-contiguous rows for A untransposed / B transposed, m- or
//    n-contiguous rows otherwise), padded so that both the staging stores and the fragment loads are free of
//    bank conflicts.
//  - Split-K (grid z = batch × splits): shapes like 2400×256 with K = 2818 have only 38 output tiles for 132
//    SMs, so each split multiplies a K range into its own slice of a workspace, and gemm_tf32_reduce adds the
//    slices in a fixed order (deterministic, no atomics). With splits = 1 the kernel writes C directly.
//  - A batch stride of 0 broadcasts a 2-D operand over the batch, as in gemm.cu.
#include "gemm_split.cuh"
#include "mma_tf32.cuh"

#define BM 128
#define BN 128
#define BK 16
#define THREADS 256
#define PAD_K 4      // rows of BK k-values: stride 20 words, fragment reads (4·g + t) hit 32 distinct banks
#define PAD_MN 8     // rows of 128 m/n-values: stride 136 words, fragment reads (8·t + g) hit 32 distinct banks
#define TILE_WORDS (BM * (BK + PAD_K) > BK * (BM + PAD_MN) ? BM * (BK + PAD_K) : BK * (BM + PAD_MN))

// Where element (row r of the 128-wide dimension, k) of a staged tile lives in shared memory.
template <bool KContiguous>
__device__ __forceinline__ int tile_index(int r, int k) {
    return KContiguous ? r * (BK + PAD_K) + k : k * (BM + PAD_MN) + r;
}

// Loads this thread's 8 elements of a 128×BK tile of a row-major operand into registers. The operand is
// "rows × k" when KContiguous (A untransposed, B transposed) and "k × rows" otherwise; ld is its row length.
// Consecutive threads read consecutive addresses in either case (coalesced).
template <bool KContiguous>
__device__ __forceinline__ void load_tile(float* v, const float* p, int ld, int rows, int k, int row0, int k0) {
#pragma unroll
    for (int i = 0; i < BM * BK / THREADS; i++) {
        int e = threadIdx.x + i * THREADS;
        int r = KContiguous ? e / BK : e % BM;
        int kk = KContiguous ? e % BK : e / BM;
        int gr = row0 + r, gk = k0 + kk;
        v[i] = 0.f;
        if (gr < rows && gk < k) v[i] = KContiguous ? p[(long long) gr * ld + gk] : p[(long long) gk * ld + gr];
    }
}

template <bool KContiguous>
__device__ __forceinline__ void store_tile(uint32_t* s, const float* v) {
#pragma unroll
    for (int i = 0; i < BM * BK / THREADS; i++) {
        int e = threadIdx.x + i * THREADS;
        int r = KContiguous ? e / BK : e % BM;
        int kk = KContiguous ? e % BK : e / BM;
        s[tile_index<KContiguous>(r, kk)] = to_tf32(v[i]);
    }
}

// One (batch, split, 128×128 tile) per block. transA/transB are template parameters so the addressing folds.
template <bool TransA, bool TransB>
__device__ void gemm_tf32(float* c, const float* a, const float* b, int m, int n, int k, long long strideA,
                          long long strideB, int splits, int kPerSplit, int batch) {
    __shared__ uint32_t sa[2][TILE_WORDS];
    __shared__ uint32_t sb[2][TILE_WORDS];
    constexpr bool AK = !TransA;   // A (m×k) stored k-contiguous unless transposed
    constexpr bool BKc = TransB;   // B (k×n) stored n-contiguous unless transposed

    const GemmSplit range = gemm_split(c, a, b, m, n, k, strideA, strideB, splits, kPerSplit, batch);
    const int lda = TransA ? m : k, ldb = TransB ? k : n;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    const int kBegin = range.kBegin, kEnd = range.kEnd;

    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int g = lane >> 2, t = lane & 3;                   // mma fragment coordinates
    const int wm = (warp >> 2) * 64, wn = (warp & 3) * 32;   // this warp's 64×32 tile inside the block tile

    float acc[4][4][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++)
#pragma unroll
            for (int q = 0; q < 4; q++) acc[i][j][q] = 0.f;

    float va[BM * BK / THREADS], vb[BN * BK / THREADS];
    int buf = 0;
    if (kBegin < kEnd) {
        load_tile<AK>(va, a, lda, m, kEnd, row0, kBegin);
        load_tile<BKc>(vb, b, ldb, n, kEnd, col0, kBegin);
        store_tile<AK>(sa[0], va);
        store_tile<BKc>(sb[0], vb);
    }
    __syncthreads();
    for (int k0 = kBegin; k0 < kEnd; k0 += BK) {
        const bool more = k0 + BK < kEnd;
        if (more) {   // the next tile's loads overlap this tile's mma
            load_tile<AK>(va, a, lda, m, kEnd, row0, k0 + BK);
            load_tile<BKc>(vb, b, ldb, n, kEnd, col0, k0 + BK);
        }
        const uint32_t* A = sa[buf];
        const uint32_t* B = sb[buf];
#pragma unroll
        for (int kk = 0; kk < BK; kk += 8) {
            uint32_t af[4][4], bf[4][2];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                int r = wm + i * 16 + g;
                af[i][0] = A[tile_index<AK>(r, kk + t)];
                af[i][1] = A[tile_index<AK>(r + 8, kk + t)];
                af[i][2] = A[tile_index<AK>(r, kk + t + 4)];
                af[i][3] = A[tile_index<AK>(r + 8, kk + t + 4)];
            }
#pragma unroll
            for (int j = 0; j < 4; j++) {
                int cidx = wn + j * 8 + g;
                bf[j][0] = B[tile_index<BKc>(cidx, kk + t)];
                bf[j][1] = B[tile_index<BKc>(cidx, kk + t + 4)];
            }
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) mma_tf32(acc[i][j], af[i], bf[j]);
        }
        if (more) {   // the other buffer was last read before the previous barrier
            store_tile<AK>(sa[buf ^ 1], va);
            store_tile<BKc>(sb[buf ^ 1], vb);
        }
        __syncthreads();
        buf ^= 1;
    }

    // Accumulator q of tile (i, j) is element (g + 8·(q / 2), 2·t + q % 2) of that 16×8 tile.
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int q2 = 0; q2 < 2; q2++) {
            int gi = row0 + wm + i * 16 + g + 8 * q2;
            if (gi >= m) continue;
#pragma unroll
            for (int j = 0; j < 4; j++)
#pragma unroll
                for (int q1 = 0; q1 < 2; q1++) {
                    int gj = col0 + wn + j * 8 + 2 * t + q1;
                    if (gj < n) c[(long long) gi * n + gj] = acc[i][j][2 * q2 + q1];
                }
        }
}

#define GEMM_TF32(NAME, TA, TB)                                                                                  \
    extern "C" __global__ void __launch_bounds__(THREADS, 2)                                                     \
    NAME(float* c, const float* a, const float* b, int m, int n, int k, long long strideA, long long strideB,     \
         int splits, int kPerSplit, int batch) {                                                                 \
        gemm_tf32<TA, TB>(c, a, b, m, n, k, strideA, strideB, splits, kPerSplit, batch);                         \
    }

GEMM_TF32(gemm_tf32_nn, false, false)
GEMM_TF32(gemm_tf32_nt, false, true)
GEMM_TF32(gemm_tf32_tn, true, false)
GEMM_TF32(gemm_tf32_tt, true, true)

// c[i] = Σ_s partial[s·count + i], s in order: the split-K epilogue (deterministic).
extern "C" __global__ void gemm_tf32_reduce(float* c, const float* partial, long long count, int splits) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < count; i += (long long) gridDim.x * blockDim.x) {
        float s = partial[i];
        for (int p = 1; p < splits; p++) s += partial[p * count + i];
        c[i] = s;
    }
}

// The mma.sync TF32 ceiling: every warp issues `iters` rounds of 8 independent m16n8k8 products on registers
// (no memory traffic; 8 chains hide the mma latency). FLOPs = blocks · warps · iters · 8 · 2·16·8·8.
// The sum is written only under an impossible condition so the compiler cannot drop the work.
extern "C" __global__ void __launch_bounds__(THREADS) mma_tf32_peak(float* out, int iters, float seed) {
    uint32_t a[4], b[2];
    for (int q = 0; q < 4; q++) a[q] = to_tf32(seed + threadIdx.x + q);
    for (int q = 0; q < 2; q++) b[q] = to_tf32(seed - threadIdx.x - q);
    float acc[8][4];
    for (int u = 0; u < 8; u++)
        for (int q = 0; q < 4; q++) acc[u][q] = 0.f;
    for (int it = 0; it < iters; it++)
#pragma unroll
        for (int u = 0; u < 8; u++) mma_tf32(acc[u], a, b);
    float s = 0.f;
    for (int u = 0; u < 8; u++)
        for (int q = 0; q < 4; q++) s += acc[u][q];
    if (s == 1234.5f) out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}
