// Exact-FP32 (and FP64) batched GEMM: C[b] = op(A[b]) · op(B[b]) with row-major operands, either transposed.
// A batch stride of 0 broadcasts a 2-D operand over the batch. Classic shared-memory tiling: a 64×64 tile of C
// per block of 256 threads, each thread computing a 4×4 micro-tile, K in steps of 16.
#include "common.cuh"

#define TM 64
#define TN 64
#define TK 16

template <typename T>
__device__ void gemm(T* c, const T* a, const T* b, int m, int n, int k, int transA, int transB,
                     long long strideA, long long strideB) {
    __shared__ T as[TK][TM + 1];
    __shared__ T bs[TK][TN + 1];
    const int batch = blockIdx.z;
    a += batch * strideA;
    b += batch * strideB;
    c += (long long) batch * m * n;
    const int row0 = blockIdx.y * TM, col0 = blockIdx.x * TN;
    const int tr = threadIdx.x / 16, tc = threadIdx.x % 16;   // this thread's 4×4 micro-tile
    T acc[4][4] = {};
    for (int k0 = 0; k0 < k; k0 += TK) {
        // Each thread loads 4 elements of each tile; element e of A's tile is (i = e / TK, kk = e % TK).
        for (int e = threadIdx.x; e < TM * TK; e += 256) {
            int i = e / TK, kk = e % TK, gi = row0 + i, gk = k0 + kk;
            T v = 0;
            if (gi < m && gk < k) v = transA ? a[(long long) gk * m + gi] : a[(long long) gi * k + gk];
            as[kk][i] = v;
        }
        for (int e = threadIdx.x; e < TN * TK; e += 256) {
            int j = e % TN, kk = e / TN, gj = col0 + j, gk = k0 + kk;
            T v = 0;
            if (gj < n && gk < k) v = transB ? b[(long long) gj * k + gk] : b[(long long) gk * n + gj];
            bs[kk][j] = v;
        }
        __syncthreads();
        for (int kk = 0; kk < TK; kk++) {
            T av[4], bv[4];
            for (int u = 0; u < 4; u++) av[u] = as[kk][tr * 4 + u];
            for (int v = 0; v < 4; v++) bv[v] = bs[kk][tc * 4 + v];
            for (int u = 0; u < 4; u++)
                for (int v = 0; v < 4; v++) acc[u][v] += av[u] * bv[v];
        }
        __syncthreads();
    }
    for (int u = 0; u < 4; u++) {
        int gi = row0 + tr * 4 + u;
        if (gi >= m) continue;
        for (int v = 0; v < 4; v++) {
            int gj = col0 + tc * 4 + v;
            if (gj < n) c[(long long) gi * n + gj] = acc[u][v];
        }
    }
}

extern "C" __global__ void gemm_f32(float* c, const float* a, const float* b, int m, int n, int k, int transA, int transB,
                                    long long strideA, long long strideB) {
    gemm<float>(c, a, b, m, n, k, transA, transB, strideA, strideB);
}

extern "C" __global__ void gemm_f64(double* c, const double* a, const double* b, int m, int n, int k, int transA,
                                    int transB, long long strideA, long long strideB) {
    gemm<double>(c, a, b, m, n, k, transA, transB, strideA, strideB);
}
