// Softmax and layer norm over the last axis of packed (rows, n) tensors: one block per row, statistics
// in double, the same formulas as CpuBackend so the devices agree to rounding.
#include "common.cuh"

#define BLOCK 256

__device__ double block_sum(double v) {
    __shared__ double s[BLOCK];
    s[threadIdx.x] = v;
    __syncthreads();
    for (int k = BLOCK / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k];
        __syncthreads();
    }
    double r = s[0];
    __syncthreads();
    return r;
}

__device__ double block_max(double v) {
    __shared__ double s[BLOCK];
    s[threadIdx.x] = v;
    __syncthreads();
    for (int k = BLOCK / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k) s[threadIdx.x] = fmax(s[threadIdx.x], s[threadIdx.x + k]);
        __syncthreads();
    }
    double r = s[0];
    __syncthreads();
    return r;
}

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

// dgamma and dbeta: one thread per column, summing over rows (neighbouring threads read neighbouring columns).
template <typename T>
__device__ void layer_norm_backward_params(T* dgamma, T* dbeta, const T* g, const T* x, const T* mean, const T* rstd,
                                           int rows, int n) {
    FOR_EACH(j, n) {
        double dg = 0, db = 0;
        for (int row = 0; row < rows; row++) {
            long long at = (long long) row * n + j;
            double xhat = ((double) x[at] - (double) mean[row]) * (double) rstd[row];
            dg += (double) g[at] * xhat;
            db += (double) g[at];
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
extern "C" __global__ void layer_norm_backward_params_##name(T* dgamma, T* dbeta, const T* g, const T* x, \
        const T* mean, const T* rstd, int rows, int n) \
    { layer_norm_backward_params<T>(dgamma, dbeta, g, x, mean, rstd, rows, n); }
DEFINE(f32, float)
DEFINE(f64, double)
