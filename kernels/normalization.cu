// Softmax and layer norm over the last axis of packed (rows, n) tensors: one block per row, statistics
// in double, the same formulas as CpuBackend so the devices agree to rounding.
#include "common.cuh"
#include "block_reduce.cuh"

// A row that is entirely -inf (fully masked) gives zeros (log: -inf), as the CPU backend.
template <typename T>
__device__ void softmax(T* y, const T* x, int rows, int n, int logMode) {
    for (int row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* a = x + (long long) row * n;
        T* out = y + (long long) row * n;
        double m = -INFINITY;
        for (int j = threadIdx.x; j < n; j += BLOCK) m = fmax(m, (double) a[j]);
        m = block_max(m);
        const T tm = (T) m;
        if (m == -INFINITY) {
            for (int j = threadIdx.x; j < n; j += BLOCK) out[j] = logMode ? (T) -INFINITY : (T) 0;
            continue;
        }
        double s = 0;
        for (int j = threadIdx.x; j < n; j += BLOCK) s += exp((double) (T) (a[j] - tm));
        s = block_sum(s);
        if (logMode) {
            const T ls = (T) log(s);
            for (int j = threadIdx.x; j < n; j += BLOCK) out[j] = a[j] - tm - ls;
        } else {
            const double inv = 1.0 / s;
            for (int j = threadIdx.x; j < n; j += BLOCK) out[j] = (T) (exp((double) (T) (a[j] - tm)) * inv);
        }
    }
}

// softmax: dx = y·(g − Σ g·y); log-softmax: dx = g − exp(y)·Σ g, 0 where y is -inf.
template <typename T>
__device__ void softmax_backward(T* dx, const T* y, const T* g, int rows, int n, int logMode) {
    for (int row = blockIdx.x; row < rows; row += gridDim.x) {
        long long o = (long long) row * n;
        double s = 0;
        for (int j = threadIdx.x; j < n; j += BLOCK) s += logMode ? (double) g[o + j] : (double) g[o + j] * (double) y[o + j];
        s = block_sum(s);
        for (int j = threadIdx.x; j < n; j += BLOCK) {
            double yj = y[o + j], gj = g[o + j];
            dx[o + j] = (T) (logMode ? (yj == -INFINITY ? 0.0 : gj - exp(yj) * s) : yj * (gj - s));
        }
    }
}

// Biased variance, as torch.nn.LayerNorm; mean and rstd are kept for backward.
template <typename T>
__device__ void layer_norm(T* y, T* mean, T* rstd, const T* x, const T* gamma, const T* beta, int rows, int n, double eps) {
    for (int row = blockIdx.x; row < rows; row += gridDim.x) {
        long long o = (long long) row * n;
        double s = 0;
        for (int j = threadIdx.x; j < n; j += BLOCK) s += (double) x[o + j];
        double mu = block_sum(s) / n;
        double v = 0;
        for (int j = threadIdx.x; j < n; j += BLOCK) { double d = (double) x[o + j] - mu; v += d * d; }
        double rs = 1.0 / sqrt(block_sum(v) / n + eps);
        if (threadIdx.x == 0) { mean[row] = (T) mu; rstd[row] = (T) rs; }
        for (int j = threadIdx.x; j < n; j += BLOCK)
            y[o + j] = (T) (((double) x[o + j] - mu) * rs * (double) gamma[j] + (double) beta[j]);
    }
}

// dx per row; the row statistics are read back in the tensor's dtype, as the CPU backend reads them.
template <typename T>
__device__ void layer_norm_backward_input(T* dx, const T* g, const T* x, const T* gamma, const T* mean, const T* rstd,
                                          int rows, int n) {
    for (int row = blockIdx.x; row < rows; row += gridDim.x) {
        long long o = (long long) row * n;
        double mu = mean[row], rs = rstd[row];
        double sg = 0, sgx = 0;
        for (int j = threadIdx.x; j < n; j += BLOCK) {
            double xhat = ((double) x[o + j] - mu) * rs, gg = (double) g[o + j] * (double) gamma[j];
            sg += gg;
            sgx += gg * xhat;
        }
        sg = block_sum(sg);
        sgx = block_sum(sgx);
        for (int j = threadIdx.x; j < n; j += BLOCK) {
            double xhat = ((double) x[o + j] - mu) * rs;
            dx[o + j] = (T) (rs * ((double) g[o + j] * (double) gamma[j] - sg / n - xhat * sgx / n));
        }
    }
}

// dgamma and dbeta, the column sums of g·x̂ and g over every row, in two passes with a fixed summation order
// (deterministic, no atomics). One thread per column over all rows leaves most of the GPU idle when rows are
// many and columns few (3,424 × 256 in TR-DETR), so:
//  pass 1: block (column tile of PARAM_COLS, chunk of rowsPerChunk rows), PARAM_COLS × PARAM_LANES threads. Lane y
//          sums rows y, y + PARAM_LANES, ... of the chunk for its column (a warp reads PARAM_COLS neighbouring
//          columns of one row: coalesced); the lanes' sums are then added in lane order. partial is (chunks, 2, n).
//  pass 2: one thread per column adds the chunks in order.
// The block shape is fixed here and in CudaBackend (PARAM_COLS, PARAM_LANES).
#define PARAM_COLS 32
#define PARAM_LANES 8

template <typename T>
__device__ void layer_norm_backward_params_partial(double* partial, const T* g, const T* x, const T* mean,
                                                   const T* rstd, int rows, int n, int rowsPerChunk) {
    __shared__ double sg[PARAM_LANES][PARAM_COLS], sb[PARAM_LANES][PARAM_COLS];
    const int col = blockIdx.x * PARAM_COLS + threadIdx.x, chunk = blockIdx.y;
    const int begin = chunk * rowsPerChunk, end = min(rows, begin + rowsPerChunk);
    double dg = 0, db = 0;
    if (col < n) {
        for (int row = begin + threadIdx.y; row < end; row += PARAM_LANES) {
            long long at = (long long) row * n + col;
            double xhat = ((double) x[at] - (double) mean[row]) * (double) rstd[row];
            dg += (double) g[at] * xhat;
            db += (double) g[at];
        }
    }
    sg[threadIdx.y][threadIdx.x] = dg;
    sb[threadIdx.y][threadIdx.x] = db;
    __syncthreads();
    if (threadIdx.y == 0 && col < n) {
        double tg = 0, tb = 0;
        for (int lane = 0; lane < PARAM_LANES; lane++) { tg += sg[lane][threadIdx.x]; tb += sb[lane][threadIdx.x]; }
        partial[(long long) chunk * 2 * n + col] = tg;
        partial[(long long) chunk * 2 * n + n + col] = tb;
    }
}

template <typename T>
__device__ void layer_norm_backward_params(T* dgamma, T* dbeta, const double* partial, int chunks, int n) {
    FOR_EACH(j, n) {
        double dg = 0, db = 0;
        for (int c = 0; c < chunks; c++) {
            dg += partial[(long long) c * 2 * n + j];
            db += partial[(long long) c * 2 * n + n + j];
        }
        dgamma[j] = (T) dg;
        dbeta[j] = (T) db;
    }
}

#define DEFINE(name, T) \
extern "C" __global__ void softmax_##name(T* y, const T* x, int rows, int n, int logMode) \
    { softmax<T>(y, x, rows, n, logMode); } \
extern "C" __global__ void softmax_backward_##name(T* dx, const T* y, const T* g, int rows, int n, int logMode) \
    { softmax_backward<T>(dx, y, g, rows, n, logMode); } \
extern "C" __global__ void layer_norm_##name(T* y, T* mean, T* rstd, const T* x, const T* gamma, const T* beta, \
        int rows, int n, double eps) { layer_norm<T>(y, mean, rstd, x, gamma, beta, rows, n, eps); } \
extern "C" __global__ void layer_norm_backward_input_##name(T* dx, const T* g, const T* x, const T* gamma, \
        const T* mean, const T* rstd, int rows, int n) \
    { layer_norm_backward_input<T>(dx, g, x, gamma, mean, rstd, rows, n); } \
extern "C" __global__ void layer_norm_backward_params_partial_##name(double* partial, const T* g, const T* x, \
        const T* mean, const T* rstd, int rows, int n, int rowsPerChunk) \
    { layer_norm_backward_params_partial<T>(partial, g, x, mean, rstd, rows, n, rowsPerChunk); } \
extern "C" __global__ void layer_norm_backward_params_##name(T* dgamma, T* dbeta, const double* partial, int chunks, \
        int n) { layer_norm_backward_params<T>(dgamma, dbeta, partial, chunks, n); }
DEFINE(f32, float)
DEFINE(f64, double)
