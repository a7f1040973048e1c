// The loss primitives of trdetr.backend.LossKernels, one kernel per primitive and direction: each replaces the
// chain of element-wise launches (and their intermediate tensors) of the composed reference in LossKernels.
//
// Each kernel reads its operands in their dtype, computes in double and rounds once. The CPU's composed chain
// rounds after every step instead, so float32 results agree with it to a few ulps (L1 exactly: one subtraction),
// float64 to the last bits of exp/log. Element-wise operands arrive as Layouts (broadcast and transposed views
// need no copy); outputs are contiguous.
#include "common.cuh"
#include "block_reduce.cuh"

// max(x, 0) − x·t + log(1 + e^−|x|): binary_cross_entropy_with_logits, stable for large |x|.
__device__ __forceinline__ double bce(double x, double t) { return (x > 0 ? x : 0.0) - x * t + log1p(exp(-fabs(x))); }

template <typename T>
__device__ void bce_with_logits(T* y, long long n, const T* x, Layout lx, const T* t, Layout lt) {
    FOR_EACH(i, n) y[i] = (T) bce((double) x[at(lx, i)], (double) t[at(lt, i)]);
}

// dx = g·(σ(x) − t), dt = −g·x (PyTorch's gradients; both written, the caller keeps what it needs).
template <typename T>
__device__ void bce_with_logits_backward(T* dx, T* dt, long long n, const T* g, Layout lg, const T* x, Layout lx,
                                         const T* t, Layout lt) {
    FOR_EACH(i, n) {
        const double gi = g[at(lg, i)], xi = x[at(lx, i)];
        dx[i] = (T) (gi * (sigmoid(xi) - (double) t[at(lt, i)]));
        dt[i] = (T) (-gi * xi);
    }
}

// Sigmoid focal loss α_t·ce·m^γ with p = σ(x), m = 1 − p_t = 1 − (p·t + (1 − p)(1 − t)), α_t = α·t + (1 − α)(1 − t)
// (α < 0: no α_t), and its derivative
//   d/dx = α_t·((p − t)·m^γ + ce·γ·m^(γ−1)·dm/dx),  dm/dx = p(1 − p)(1 − 2t).
// The γ·m^(γ−1) term is dropped when γ = 0 (it would be 0·∞ where m = 0).
struct Focal { double loss, slope; };

__device__ __forceinline__ Focal focal(double x, double t, double alpha, double gamma) {
    const double p = sigmoid(x), ce = bce(x, t);
    const double m = 1.0 - (p * t + (1.0 - p) * (1.0 - t));
    const double at = alpha >= 0 ? alpha * t + (1.0 - alpha) * (1.0 - t) : 1.0;
    const double mg = pow(m, gamma);
    double slope = (p - t) * mg;
    if (gamma != 0) slope += ce * gamma * pow(m, gamma - 1) * (p * (1.0 - p) * (1.0 - 2.0 * t));
    return Focal{at * ce * mg, at * slope};
}

template <typename T>
__device__ void sigmoid_focal(T* y, long long n, const T* x, Layout lx, const T* t, Layout lt, double alpha, double gamma) {
    FOR_EACH(i, n) y[i] = (T) focal((double) x[at(lx, i)], (double) t[at(lt, i)], alpha, gamma).loss;
}

template <typename T>
__device__ void sigmoid_focal_backward(T* dx, long long n, const T* g, Layout lg, const T* x, Layout lx, const T* t,
                                       Layout lt, double alpha, double gamma) {
    FOR_EACH(i, n) dx[i] = (T) ((double) g[at(lg, i)] * focal((double) x[at(lx, i)], (double) t[at(lt, i)], alpha, gamma).slope);
}

// |a − b|; its gradients g·sign(a − b) and the negation (sign(0) = 0, as PyTorch's abs).
template <typename T>
__device__ void l1(T* y, long long n, const T* a, Layout la, const T* b, Layout lb) {
    FOR_EACH(i, n) y[i] = (T) fabs((double) a[at(la, i)] - (double) b[at(lb, i)]);
}

template <typename T>
__device__ void l1_backward(T* da, T* db, long long n, const T* g, Layout lg, const T* a, Layout la, const T* b, Layout lb) {
    FOR_EACH(i, n) {
        const double d = (double) a[at(la, i)] - (double) b[at(lb, i)];
        const double s = d > 0 ? 1.0 : d < 0 ? -1.0 : d == 0 ? 0.0 : d;
        const T ga = (T) ((double) g[at(lg, i)] * s);
        da[i] = ga;
        db[i] = -ga;
    }
}

// A row's largest logit and Σ e^(x − max) (0 when the row is entirely -inf), every thread of the block calling.
struct RowMax { double max, sum; };

template <typename T>
__device__ RowMax row_max_and_sum(const T* x, View2 vx, int row, int classes) {
    double m = -INFINITY;
    for (int j = threadIdx.x; j < classes; j += BLOCK) m = fmax(m, (double) x[at2(vx, row, j)]);
    m = block_max(m);
    double s = 0;
    if (m != -INFINITY) for (int j = threadIdx.x; j < classes; j += BLOCK) s += exp((double) x[at2(vx, row, j)] - m);
    return RowMax{m, block_sum(s)};
}

// Cross-entropy per row of logits (rows, classes), one block per row: logsumexp − x[target]. A target outside
// [0, classes) is recorded in *bad (the host raises the CPU's error) and its row gives NaN. Rows that are entirely
// -inf, or whose target logit is -inf, give +inf, as the composed log-softmax does.
template <typename T>
__device__ void cross_entropy(T* loss, const T* x, View2 vx, const long long* target, int rows, int classes, long long* bad) {
    for (int row = blockIdx.x; row < rows; row += gridDim.x) {
        const RowMax r = row_max_and_sum(x, vx, row, classes);
        const double m = r.max, s = r.sum;
        if (threadIdx.x == 0) {
            const long long t = target[row];
            if (t < 0 || t >= classes) {
                atomicCAS((unsigned long long*) bad, (unsigned long long) 0x7fffffffffffffffLL, (unsigned long long) t);
                loss[row] = (T) __longlong_as_double(0x7ff8000000000000LL);
            } else {
                const double xt = x[at2(vx, row, (int) t)];
                loss[row] = (T) (m == -INFINITY || xt == -INFINITY ? INFINITY : -((xt - m) - log(s)));
            }
        }
    }
}

// d loss_row / d x_j = g_row·(softmax(x)_j − [j = target]); 0 at -inf logits and over a row that is entirely -inf
// (the composed log-softmax's backward gives 0 wherever its output is -inf). g is a (rows) view.
template <typename T>
__device__ void cross_entropy_backward(T* dx, const T* g, Layout lg, const T* x, View2 vx, const long long* target,
                                       int rows, int classes) {
    for (int row = blockIdx.x; row < rows; row += gridDim.x) {
        const RowMax r = row_max_and_sum(x, vx, row, classes);
        const double m = r.max, s = r.sum;
        const double gr = g[at(lg, row)];
        const long long t = target[row];
        for (int j = threadIdx.x; j < classes; j += BLOCK) {
            const double xj = x[at2(vx, row, j)];
            const double d = m == -INFINITY || xj == -INFINITY ? 0.0 : gr * (exp(xj - m) / s - (j == t ? 1.0 : 0.0));
            dx[(long long) row * classes + j] = (T) d;
        }
    }
}

// Generalized temporal IoU of spans a = (a0, a1) and b = (b0, b1), as LossKernels composes it:
// inter = max(0, min(a1, b1) − max(a0, b0)), union = (a1 − a0) + (b1 − b0) − inter,
// hull = max(0, max(a1, b1) − min(a0, b0)), gIoU = inter/union − (hull − union)/hull.
struct Spans { double a0, a1, b0, b1; };

__device__ __forceinline__ double clamp_min0(double v) { return v < 0 ? 0.0 : v; }   // NaN stays NaN

__device__ __forceinline__ double giou(const Spans& s) {
    const double inter = clamp_min0(fmin(s.a1, s.b1) - fmax(s.a0, s.b0));
    const double uni = (s.a1 - s.a0) + (s.b1 - s.b0) - inter;
    const double hull = clamp_min0(fmax(s.a1, s.b1) - fmin(s.a0, s.b0));
    return inter / uni - (hull - uni) / hull;
}

// The share of the gradient of min(u, v) that reaches u, as PyTorch's minimum: all when u is the smaller, half on
// a tie, none otherwise (for max, swap the arguments).
__device__ __forceinline__ double min_share(double u, double v) { return u < v ? 1.0 : u == v ? 0.5 : 0.0; }

// g·∂gIoU/∂(a0, a1, b0, b1), the chain rule through the same min/max/clamp structure (clamp passes the gradient at
// its bound, as PyTorch's clamp_min).
__device__ __forceinline__ Spans giou_grad(const Spans& s, double g) {
    const double interRaw = fmin(s.a1, s.b1) - fmax(s.a0, s.b0), inter = clamp_min0(interRaw);
    const double uni = (s.a1 - s.a0) + (s.b1 - s.b0) - inter;
    const double hullRaw = fmax(s.a1, s.b1) - fmin(s.a0, s.b0), hull = clamp_min0(hullRaw);
    const double gUnion = g / hull - g * inter / (uni * uni);
    const double gInter = (interRaw >= 0 ? 1.0 : 0.0) * (g / uni - gUnion);
    const double gHull = (hullRaw >= 0 ? 1.0 : 0.0) * -(g * uni / (hull * hull));
    Spans d;
    d.a1 = gUnion + gInter * min_share(s.a1, s.b1) + gHull * min_share(s.b1, s.a1);
    d.b1 = gUnion + gInter * min_share(s.b1, s.a1) + gHull * min_share(s.a1, s.b1);
    d.a0 = -gUnion - gInter * min_share(s.b0, s.a0) - gHull * min_share(s.a0, s.b0);
    d.b0 = -gUnion - gInter * min_share(s.a0, s.b0) - gHull * min_share(s.b0, s.a0);
    return d;
}

// a (n, 2) and b (m, 2) views → y (n, m) contiguous.
template <typename T>
__device__ void temporal_giou(T* y, const T* a, View2 va, const T* b, View2 vb, int n, int m) {
    FOR_EACH(e, (long long) n * m) {
        const int i = (int) (e / m), j = (int) (e % m);
        y[e] = (T) giou(Spans{(double) a[at2(va, i, 0)], (double) a[at2(va, i, 1)], (double) b[at2(vb, j, 0)], (double) b[at2(vb, j, 1)]});
    }
}

// da (n, 2) and db (m, 2) from g (n, m): thread k < n sums row k of the pair gradients over j, thread n + k sums
// column k over i, each in index order (deterministic, no atomics).
template <typename T>
__device__ void temporal_giou_backward(T* da, T* db, const T* g, Layout lg, const T* a, View2 va, const T* b, View2 vb,
                                       int n, int m) {
    FOR_EACH(k, (long long) n + m) {
        const bool rowOfA = k < n;
        const int self = rowOfA ? (int) k : (int) (k - n), others = rowOfA ? m : n;
        double d0 = 0, d1 = 0;
        for (int o = 0; o < others; o++) {
            const int i = rowOfA ? self : o, j = rowOfA ? o : self;
            const Spans s{(double) a[at2(va, i, 0)], (double) a[at2(va, i, 1)], (double) b[at2(vb, j, 0)], (double) b[at2(vb, j, 1)]};
            const Spans d = giou_grad(s, (double) g[at(lg, (long long) i * m + j)]);
            d0 += rowOfA ? d.a0 : d.b0;
            d1 += rowOfA ? d.a1 : d.b1;
        }
        T* out = rowOfA ? da : db;
        out[2LL * self] = (T) d0;
        out[2LL * self + 1] = (T) d1;
    }
}

#define DEFINE(name, T) \
extern "C" __global__ void bce_with_logits_##name(T* y, long long n, const T* x, Layout lx, const T* t, Layout lt) \
    { bce_with_logits<T>(y, n, x, lx, t, lt); } \
extern "C" __global__ void bce_with_logits_backward_##name(T* dx, T* dt, long long n, const T* g, Layout lg, const T* x, \
        Layout lx, const T* t, Layout lt) { bce_with_logits_backward<T>(dx, dt, n, g, lg, x, lx, t, lt); } \
extern "C" __global__ void sigmoid_focal_##name(T* y, long long n, const T* x, Layout lx, const T* t, Layout lt, \
        double alpha, double gamma) { sigmoid_focal<T>(y, n, x, lx, t, lt, alpha, gamma); } \
extern "C" __global__ void sigmoid_focal_backward_##name(T* dx, long long n, const T* g, Layout lg, const T* x, Layout lx, \
        const T* t, Layout lt, double alpha, double gamma) { sigmoid_focal_backward<T>(dx, n, g, lg, x, lx, t, lt, alpha, gamma); } \
extern "C" __global__ void l1_##name(T* y, long long n, const T* a, Layout la, const T* b, Layout lb) \
    { l1<T>(y, n, a, la, b, lb); } \
extern "C" __global__ void l1_backward_##name(T* da, T* db, long long n, const T* g, Layout lg, const T* a, Layout la, \
        const T* b, Layout lb) { l1_backward<T>(da, db, n, g, lg, a, la, b, lb); } \
extern "C" __global__ void cross_entropy_##name(T* loss, const T* x, View2 vx, const long long* target, int rows, \
        int classes, long long* bad) { cross_entropy<T>(loss, x, vx, target, rows, classes, bad); } \
extern "C" __global__ void cross_entropy_backward_##name(T* dx, const T* g, Layout lg, const T* x, View2 vx, \
        const long long* target, int rows, int classes) { cross_entropy_backward<T>(dx, g, lg, x, vx, target, rows, classes); } \
extern "C" __global__ void temporal_giou_##name(T* y, const T* a, View2 va, const T* b, View2 vb, int n, int m) \
    { temporal_giou<T>(y, a, va, b, vb, n, m); } \
extern "C" __global__ void temporal_giou_backward_##name(T* da, T* db, const T* g, Layout lg, const T* a, View2 va, \
        const T* b, View2 vb, int n, int m) { temporal_giou_backward<T>(da, db, g, lg, a, va, b, vb, n, m); }
DEFINE(f32, float)
DEFINE(f64, double)
