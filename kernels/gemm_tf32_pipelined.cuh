// Multi-stage cp.async TF32 tensor-core batched GEMM (sm_80+): C[b] = op(A[b]) · op(B[b]), row-major operands,
// either transposed, FP32 accumulation. The successor of gemm_tf32.cu (issue #4), same contract and arguments plus
// the copy widths. Each variant is a small .cu file that sets the tile configuration and includes this header, so
// that each becomes a PTX module of its own (the driver JIT-compiles a whole module at load: one variant in use
// costs only its own four kernels). CudaGemm reads the configuration back from the module (gemm_tf32_config).
//
// Design (why):
//  - BK = 32: one __syncthreads per 4 mma k-steps (gemm_tf32.cu: one per 2), and a stage is large enough that
//    the copies of the next stages overlap a long run of mma.
//  - cp.async with STAGES (3–4) stages in dynamic shared memory: up to STAGES − 1 tiles are in flight while one is
//    multiplied, without staging registers (which limited gemm_tf32.cu to double buffering), and one barrier per
//    stage both publishes the landed tile and retires the stage that the next copy overwrites.
//  - Copy width chosen per operand on the host (vecA, vecB = 4, 2 or 1 floats): 16-byte cp.async.cg needs a
//    16-byte aligned leading dimension, which the model's K = 2818 rows lack, but 2818 is even, so such rows still
//    move 8 bytes a copy; odd leading dimensions take 4-byte copies. The src-size operand zero-fills the parts of
//    a chunk past the matrix edge (or past the end of this split's K range), so there is no other bounds logic.
//    The width is a run-time argument switching between three unrolled copy loops (uniform across the grid), so a
//    variant is 4 kernels, not 36.
//  - Operands reach shared memory unrounded; fragments are rounded with cvt.rna when they are loaded into
//    registers (one cvt per fragment element, cheap ALU work beside the shared-memory loads).
//  - Shared tiles keep the global layout: k-contiguous rows (A untransposed, B transposed) with a row stride of
//    BK + 4 = 36 words, so that a fragment read (row g, k t: bank 4g + t) hits 32 distinct banks and rows stay
//    16-byte aligned for cp.async; m/n-contiguous rows (A transposed, B untransposed) with a stride of R + 8 words
//    (R = 64, 128, 256: ≡ 8 mod 32, bank 8t + g). The copies themselves write whole 128-byte rows per phase.
//    Every transpose form is therefore conflict-free for both the copies and the fragment loads.
//  - Fragment loads are 32-bit: with a warp tile of WARP_M × WARP_N a k-step reads (WARP_M + WARP_N)·8 words for
//    (WARP_M/16)·(WARP_N/8) mma, e.g. 96 B/mma for 64×64 and 144 B/mma for 64×32, within the SM's 128 B/clock of
//    shared-memory bandwidth at the mma.sync rate (about one m16n8k8 per 1.7 clocks per SM on H100/H200).
//  - Split-K (grid z = batch × splits), deterministic: each split writes its own workspace slice and
//    gemm_tf32_reduce (gemm_tf32.cu) adds the slices in order. kPerSplit is a multiple of BK. The host sizes the
//    splits from this variant's tile and the occupancy the driver reports.
//  - A batch stride of 0 broadcasts a 2-D operand over the batch.
//
// A variant file defines TILE_M, TILE_N (block tile), WARP_M, WARP_N (warp tile; WARP_M a multiple of 16, WARP_N
// of 8), STAGES, MIN_BLOCKS (the __launch_bounds__ occupancy target: it caps the registers per thread) and VARIANT
// (the name in the kernels' names).
#pragma once
#include "cp_async.cuh"
#include "gemm_split.cuh"
#include "mma_tf32.cuh"

namespace pipelined {

constexpr int BK = 32;
constexpr int WARPS_M = TILE_M / WARP_M, WARPS_N = TILE_N / WARP_N;
constexpr int THREADS = 32 * WARPS_M * WARPS_N;
constexpr int MMA_M = WARP_M / 16, MMA_N = WARP_N / 8;   // mma tiles per warp
constexpr int PAD_K = 4, PAD_R = 8;
static_assert(TILE_M % WARP_M == 0 && TILE_N % WARP_N == 0 && WARP_M % 16 == 0 && WARP_N % 8 == 0, "tile shape");
static_assert(TILE_M % 32 == 0 && TILE_N % 32 == 0, "the padded strides are bank-conflict-free for multiples of 32");

// Words of one stage's tile of an operand with r rows of the output dimension, in either layout.
constexpr int tile_words(int r) { return r * (BK + PAD_K) > BK * (r + PAD_R) ? r * (BK + PAD_K) : BK * (r + PAD_R); }
constexpr int A_WORDS = tile_words(TILE_M);
constexpr int STAGE_WORDS = A_WORDS + tile_words(TILE_N);
constexpr int SMEM_BYTES = STAGES * STAGE_WORDS * 4;

// A stage's tile of an operand with R rows of the output dimension: k-contiguous (R rows of BK) or not (BK rows of R).
template <int R, bool KContiguous>
struct Tile {
    static constexpr int STRIDE = KContiguous ? BK + PAD_K : R + PAD_R;
    __device__ static constexpr int at(int r, int k) { return KContiguous ? r * STRIDE + k : k * STRIDE + r; }
};

// Issues the copies of rows [row0, row0 + ROWS) × columns [col0, col0 + COLS) of a row-major matrix (leading
// dimension ld) into shared memory at dst (row stride STRIDE words), WIDTH floats per copy; elements at a row
// ≥ rowEnd or a column ≥ colEnd become 0. Consecutive threads copy consecutive chunks of a row (coalesced).
template <int ROWS, int COLS, int STRIDE, int WIDTH>
__device__ __forceinline__ void copy_block(uint32_t dst, const float* src, int ld, int row0, int col0, int rowEnd, int colEnd) {
    constexpr int CHUNKS = COLS / WIDTH;          // per row
    constexpr int ROW_STEP = THREADS / CHUNKS;    // rows between one thread's successive copies
    constexpr int COPIES = ROWS / ROW_STEP;
    static_assert(THREADS % CHUNKS == 0 && ROWS % ROW_STEP == 0, "copy mapping");
    const int r = threadIdx.x / CHUNKS, c = threadIdx.x % CHUNKS * WIDTH;
    const int colBytes = 4 * max(0, min(WIDTH, colEnd - (col0 + c)));   // < 4·WIDTH only at the matrix edge
    const int rowsLeft = rowEnd - (row0 + r);
    // One running pointer, advanced per copy: per-copy addresses computed up front would each hold two registers
    // for the whole k loop (ptxas hoists them), which pushed the kernels into spills.
    const float* p = src + (long long) (row0 + r) * ld + col0 + c;
    const long long step = (long long) ROW_STEP * ld;
    dst += 4 * (r * STRIDE + c);
#pragma unroll
    for (int i = 0; i < COPIES; i++) {
        const int bytes = i * ROW_STEP < rowsLeft ? colBytes : 0;
        cp_async<WIDTH>(dst + 4 * i * ROW_STEP * STRIDE, bytes ? p : src, bytes);
        p += step;
    }
}

// Issues the copies of one stage's tile of an operand: rows [r0, r0 + R) of its output dimension (of `rows`),
// k in [k0, k0 + BK) (clipped at kEnd); the operand is stored rows × k when KContiguous, else k × rows.
template <int R, bool KContiguous, int WIDTH>
__device__ __forceinline__ void copy_tile(uint32_t dst, const float* p, int ld, int rows, int r0, int k0, int kEnd) {
    using T = Tile<R, KContiguous>;
    if (KContiguous) copy_block<R, BK, T::STRIDE, WIDTH>(dst, p, ld, r0, k0, rows, kEnd);
    else copy_block<BK, R, T::STRIDE, WIDTH>(dst, p, ld, k0, r0, kEnd, rows);
}

template <int R, bool KContiguous>
__device__ __forceinline__ void copy_tile(int width, uint32_t dst, const float* p, int ld, int rows, int r0, int k0, int kEnd) {
    if (width == 4) copy_tile<R, KContiguous, 4>(dst, p, ld, rows, r0, k0, kEnd);
    else if (width == 2) copy_tile<R, KContiguous, 2>(dst, p, ld, rows, r0, k0, kEnd);
    else copy_tile<R, KContiguous, 1>(dst, p, ld, rows, r0, k0, kEnd);
}

// Writes a warp's accumulators (tile (i, j), register q: row g + 8·(q / 2), column 2t + q % 2) to row-major C
// (m × n), two adjacent columns as one 8-byte store when n is even.
__device__ __forceinline__ void store_tile(float* c, const float (&acc)[MMA_M][MMA_N][4], int m, int n, int r0, int c0) {
    const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
    const bool pairs = (n & 1) == 0;
#pragma unroll
    for (int i = 0; i < MMA_M; i++)
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int gi = r0 + i * 16 + g + 8 * h;
            if (gi >= m) continue;
            float* row = c + (long long) gi * n;
#pragma unroll
            for (int j = 0; j < MMA_N; j++) {
                const int gj = c0 + j * 8 + 2 * t;
                const float v0 = acc[i][j][2 * h], v1 = acc[i][j][2 * h + 1];
                if (pairs && gj < n) {
                    *reinterpret_cast<float2*>(row + gj) = make_float2(v0, v1);
                } else {
                    if (gj < n) row[gj] = v0;
                    if (gj + 1 < n) row[gj + 1] = v1;
                }
            }
        }
}

// One (batch, split, TILE_M × TILE_N tile) per block; TransA/TransB fold the addressing at compile time.
template <bool TransA, bool TransB>
__device__ __forceinline__ void gemm(float* c, const float* a, const float* b, int m, int n, int k, long long strideA,
                                     long long strideB, int splits, int kPerSplit, int batch, int vecA, int vecB) {
    extern __shared__ __align__(16) float smem[];
    constexpr bool AK = !TransA;   // A (m×k) is stored k-contiguous unless transposed
    constexpr bool BKc = TransB;   // B (k×n) is stored n-contiguous unless transposed
    using TA = Tile<TILE_M, AK>;
    using TB = Tile<TILE_N, BKc>;

    const GemmSplit range = gemm_split(c, a, b, m, n, k, strideA, strideB, splits, kPerSplit, batch);
    const int lda = TransA ? m : k, ldb = TransB ? k : n;
    const int row0 = blockIdx.y * TILE_M, col0 = blockIdx.x * TILE_N;
    const int kBegin = range.kBegin, kEnd = range.kEnd;
    const int kTiles = kEnd > kBegin ? (kEnd - kBegin + BK - 1) / BK : 0;

    const uint32_t base = (uint32_t) __cvta_generic_to_shared(smem);
    auto issue = [&](int tile, int stage) {   // the copies of k-tile `tile` into `stage`
        const uint32_t sa = base + 4 * stage * STAGE_WORDS, sb = sa + 4 * A_WORDS;
        const int k0 = kBegin + tile * BK;
        copy_tile<TILE_M, AK>(vecA, sa, a, lda, m, row0, k0, kEnd);
        copy_tile<TILE_N, BKc>(vecB, sb, b, ldb, n, col0, k0, kEnd);
    };
    // One commit per stage, empty or not, so that "tile t has landed" is always "all but STAGES − 2 groups".
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (s < kTiles) issue(s, s);
        cp_async_commit();
    }

    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int g = lane >> 2, t = lane & 3;   // mma fragment coordinates
    const int wm = warp / WARPS_N * WARP_M, wn = warp % WARPS_N * WARP_N;

    float acc[MMA_M][MMA_N][4];
#pragma unroll
    for (int i = 0; i < MMA_M; i++)
#pragma unroll
        for (int j = 0; j < MMA_N; j++)
#pragma unroll
            for (int q = 0; q < 4; q++) acc[i][j][q] = 0.f;

    int readStage = 0, writeStage = STAGES - 1;
    for (int tile = 0; tile < kTiles; tile++) {
        cp_async_wait<STAGES - 2>();
        // After this barrier every thread's copies of `tile` are visible, and every warp has finished reading the
        // stage that the copies issued next overwrite (it held tile − 1).
        __syncthreads();
        if (tile + STAGES - 1 < kTiles) issue(tile + STAGES - 1, writeStage);
        cp_async_commit();

        const float* A = smem + readStage * STAGE_WORDS;
        const float* B = A + A_WORDS;
#pragma unroll
        for (int kk = 0; kk < BK; kk += 8) {
            uint32_t af[MMA_M][4], bf[MMA_N][2];
#pragma unroll
            for (int i = 0; i < MMA_M; i++) {
                const int r = wm + i * 16 + g;
                af[i][0] = to_tf32(A[TA::at(r, kk + t)]);
                af[i][1] = to_tf32(A[TA::at(r + 8, kk + t)]);
                af[i][2] = to_tf32(A[TA::at(r, kk + t + 4)]);
                af[i][3] = to_tf32(A[TA::at(r + 8, kk + t + 4)]);
            }
#pragma unroll
            for (int j = 0; j < MMA_N; j++) {
                const int col = wn + j * 8 + g;
                bf[j][0] = to_tf32(B[TB::at(col, kk + t)]);
                bf[j][1] = to_tf32(B[TB::at(col, kk + t + 4)]);
            }
#pragma unroll
            for (int i = 0; i < MMA_M; i++)
#pragma unroll
                for (int j = 0; j < MMA_N; j++) mma_tf32(acc[i][j], af[i], bf[j]);
        }
        readStage = readStage == STAGES - 1 ? 0 : readStage + 1;
        writeStage = writeStage == STAGES - 1 ? 0 : writeStage + 1;
    }
    cp_async_wait<0>();   // only empty groups can remain; a block never exits with copies into its shared memory
    store_tile(c, acc, m, n, row0 + wm, col0 + wn);
}

}   // namespace pipelined

// The host's view of this variant: block tile, BK, threads per block, dynamic shared memory, stages.
extern "C" __constant__ int gemm_tf32_config[6] = {TILE_M, TILE_N, pipelined::BK, pipelined::THREADS,
                                                   pipelined::SMEM_BYTES, STAGES};

#define GEMM_TF32_KERNEL_NAME(V, FORM) gemm_tf32_##V##_##FORM
#define GEMM_TF32_KERNEL(V, FORM, TA, TB)                                                                         \
    extern "C" __global__ void __launch_bounds__(pipelined::THREADS, MIN_BLOCKS)                                   \
    GEMM_TF32_KERNEL_NAME(V, FORM)(float* c, const float* a, const float* b, int m, int n, int k, long long strideA, \
                                   long long strideB, int splits, int kPerSplit, int batch, int vecA, int vecB) {      \
        pipelined::gemm<TA, TB>(c, a, b, m, n, k, strideA, strideB, splits, kPerSplit, batch, vecA, vecB);          \
    }
#define GEMM_TF32_KERNELS(V)                    \
    GEMM_TF32_KERNEL(V, nn, false, false)       \
    GEMM_TF32_KERNEL(V, nt, false, true)        \
    GEMM_TF32_KERNEL(V, tn, true, false)        \
    GEMM_TF32_KERNEL(V, tt, true, true)

GEMM_TF32_KERNELS(VARIANT)
