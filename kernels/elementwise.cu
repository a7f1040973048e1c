// Element-wise kernels: unary maps, binary arithmetic, comparisons, where, copies with casts, fill, scale,
// dropout. Float32 math goes through double, as on the CPU backend, so both devices round the same way.
#include "common.cuh"
#include "counter_rng.cuh"

// Op codes: the ordinal of trdetr.backend.UnaryOp.
enum { NEG, EXP, LOG, LOG1P, SQRT, TANH, SIGMOID, RELU, ABS, SIGN, SIN, COS, AFFINE, POW, CLAMP, LEAKY,
       LEAKY_SLOPE, NEG_PART };

__device__ __forceinline__ double unary_op(int op, double x, double p0, double p1) {
    switch (op) {
        case NEG: return -x;
        case EXP: return exp(x);
        case LOG: return log(x);
        case LOG1P: return log1p(x);
        case SQRT: return sqrt(x);
        case TANH: return tanh(x);
        case SIGMOID: return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
        case RELU: return !(x <= 0) ? x : 0.0;  // NaN stays NaN, as torch.relu
        case ABS: return fabs(x);
        case SIGN: return x > 0 ? 1.0 : x < 0 ? -1.0 : x == 0 ? 0.0 : x;
        case SIN: return sin(x);
        case COS: return cos(x);
        case AFFINE: return p0 * x + p1;
        case POW: return pow(x, p0);
        case CLAMP: return isnan(x) ? x : fmin(fmax(x, p0), p1);
        case LEAKY: return x > 0 ? x : p0 * x;
        case LEAKY_SLOPE: return x > 0 ? 1.0 : p0;
        case NEG_PART: return x > 0 ? 0.0 : x;
    }
    return __longlong_as_double(0x7ff8000000000000LL);
}

// Op codes: the ordinal of trdetr.backend.BinaryOp.
enum { ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, EQ, NE, LT, LE, GT, GE, AND, OR };

__device__ __forceinline__ double binary_op(int op, double a, double b) {
    const double nan = __longlong_as_double(0x7ff8000000000000LL);
    switch (op) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case DIV: return a / b;
        case MAXIMUM: return isnan(a) || isnan(b) ? nan : fmax(a, b);
        case MINIMUM: return isnan(a) || isnan(b) ? nan : fmin(a, b);
    }
    return nan;
}

__device__ __forceinline__ bool compare_op(int op, double a, double b) {
    switch (op) {
        case EQ: return a == b;
        case NE: return a != b;
        case LT: return a < b;
        case LE: return a <= b;
        case GT: return a > b;
        case GE: return a >= b;
        case AND: return a != 0 && b != 0;
        case OR: return a != 0 || b != 0;
    }
    return false;
}

template <typename T>
__device__ void unary(T* y, const T* x, Layout lx, long long n, int op, double p0, double p1) {
    FOR_EACH(i, n) y[i] = (T) unary_op(op, (double) x[at(lx, i)], p0, p1);
}

// float32 ADD/SUB/MUL/DIV are exact in float (IEEE), as the CPU's float loops; the rest go through double.
template <typename T>
__device__ void binary(T* z, const T* a, Layout la, const T* b, Layout lb, long long n, int op) {
    FOR_EACH(i, n) {
        T u = a[at(la, i)], v = b[at(lb, i)];
        switch (op) {
            case ADD: z[i] = u + v; break;
            case SUB: z[i] = u - v; break;
            case MUL: z[i] = u * v; break;
            case DIV: z[i] = u / v; break;
            default: z[i] = (T) binary_op(op, (double) u, (double) v);
        }
    }
}

// Contiguous float32 operands (the common case): 16-byte vector loads and stores, four elements per thread and
// iteration; the host launches these only when every operand starts at a multiple of 4 elements.
__device__ __forceinline__ float binary_f(int op, float u, float v) {
    switch (op) {
        case ADD: return u + v;
        case SUB: return u - v;
        case MUL: return u * v;
        case DIV: return u / v;
    }
    return (float) binary_op(op, (double) u, (double) v);
}

extern "C" __global__ void binary_vec4_f32(float* z, const float* a, const float* b, long long n, int op) {
    const long long quads = n / 4;
    const float4* a4 = reinterpret_cast<const float4*>(a);
    const float4* b4 = reinterpret_cast<const float4*>(b);
    float4* z4 = reinterpret_cast<float4*>(z);
    FOR_EACH(q, quads) {
        float4 u = a4[q], v = b4[q];
        z4[q] = make_float4(binary_f(op, u.x, v.x), binary_f(op, u.y, v.y), binary_f(op, u.z, v.z), binary_f(op, u.w, v.w));
    }
    FOR_EACH(t, n - quads * 4) z[quads * 4 + t] = binary_f(op, a[quads * 4 + t], b[quads * 4 + t]);
}

extern "C" __global__ void unary_vec4_f32(float* y, const float* x, long long n, int op, double p0, double p1) {
    const long long quads = n / 4;
    const float4* x4 = reinterpret_cast<const float4*>(x);
    float4* y4 = reinterpret_cast<float4*>(y);
    FOR_EACH(q, quads) {
        float4 u = x4[q];
        y4[q] = make_float4((float) unary_op(op, u.x, p0, p1), (float) unary_op(op, u.y, p0, p1),
                            (float) unary_op(op, u.z, p0, p1), (float) unary_op(op, u.w, p0, p1));
    }
    FOR_EACH(t, n - quads * 4) y[quads * 4 + t] = (float) unary_op(op, (double) x[quads * 4 + t], p0, p1);
}

template <typename T>
__device__ void compare(boolean* z, const T* a, Layout la, const T* b, Layout lb, long long n, int op) {
    FOR_EACH(i, n) z[i] = compare_op(op, to_double(a[at(la, i)]), to_double(b[at(lb, i)])) ? 1 : 0;
}

template <typename T>
__device__ void where(T* z, const boolean* c, Layout lc, const T* a, Layout la, const T* b, Layout lb, long long n) {
    FOR_EACH(i, n) z[i] = c[at(lc, i)] ? a[at(la, i)] : b[at(lb, i)];
}

// Between dtypes a value goes through double (as CpuBackend.copy); within one dtype it is moved bit for bit.
template <typename D, typename S> struct Convert { __device__ static D apply(S v) { return from_double<D>(to_double(v)); } };
template <typename T> struct Convert<T, T> { __device__ static T apply(T v) { return v; } };

template <typename D, typename S>
__device__ void copy(D* y, Layout ly, const S* x, Layout lx, long long n) {
    FOR_EACH(i, n) y[at(ly, i)] = Convert<D, S>::apply(x[at(lx, i)]);
}

template <typename T>
__device__ void fill(T* y, Layout ly, long long n, double v) {
    FOR_EACH(i, n) y[at(ly, i)] = from_double<T>(v);
}

template <typename T>
__device__ void scale(T* y, Layout ly, long long n, double f) {
    FOR_EACH(i, n) { long long p = at(ly, i); y[p] = (T) (y[p] * (T) f); }
}

template <typename T>
__device__ void dropout(T* y, const T* x, Layout lx, long long n, double p, unsigned long long seed,
                        unsigned long long offset) {
    const T keep = (T) (1.0 / (1.0 - p));
    FOR_EACH(i, n) y[i] = (double) counter_uniform(seed, offset + i) < p ? (T) 0 : x[at(lx, i)] * keep;
}

// torch.optim.AdamW's arithmetic, as CpuBackend.adamWStep (float32 state updated in float32).
template <typename T>
__device__ void adamw(T* p, const T* g, T* m, T* v, long long n, double decay, double beta1, double beta2,
                      double bc2Sqrt, double eps, double stepSize) {
    const T d = (T) decay, b1 = (T) beta1, b2 = (T) beta2, c1 = (T) (1 - beta1), c2 = (T) (1 - beta2);
    const T bc2 = (T) bc2Sqrt, e = (T) eps, s = (T) stepSize;
    FOR_EACH(i, n) {
        T pi = p[i] * d;
        T mi = m[i] * b1 + g[i] * c1;
        T vi = v[i] * b2 + g[i] * g[i] * c2;
        T denom = (T) sqrt((double) vi) / bc2 + e;
        p[i] = pi - s * (mi / denom);
        m[i] = mi;
        v[i] = vi;
    }
}

#define FLOAT_TYPES(X) X(f32, float) X(f64, double)
#define ALL_TYPES(X) X(f32, float) X(f64, double) X(i64, long long) X(bool, boolean)

#define DEFINE_FLOAT(name, T) \
extern "C" __global__ void unary_##name(T* y, const T* x, Layout lx, long long n, int op, double p0, double p1) \
    { unary<T>(y, x, lx, n, op, p0, p1); } \
extern "C" __global__ void binary_##name(T* z, const T* a, Layout la, const T* b, Layout lb, long long n, int op) \
    { binary<T>(z, a, la, b, lb, n, op); } \
extern "C" __global__ void scale_##name(T* y, Layout ly, long long n, double f) { scale<T>(y, ly, n, f); } \
extern "C" __global__ void dropout_##name(T* y, const T* x, Layout lx, long long n, double p, \
        unsigned long long seed, unsigned long long offset) { dropout<T>(y, x, lx, n, p, seed, offset); } \
extern "C" __global__ void adamw_##name(T* p, const T* g, T* m, T* v, long long n, double decay, double beta1, \
        double beta2, double bc2Sqrt, double eps, double stepSize) \
    { adamw<T>(p, g, m, v, n, decay, beta1, beta2, bc2Sqrt, eps, stepSize); }
FLOAT_TYPES(DEFINE_FLOAT)

#define DEFINE_ALL(name, T) \
extern "C" __global__ void compare_##name(boolean* z, const T* a, Layout la, const T* b, Layout lb, long long n, int op) \
    { compare<T>(z, a, la, b, lb, n, op); } \
extern "C" __global__ void where_##name(T* z, const boolean* c, Layout lc, const T* a, Layout la, const T* b, \
        Layout lb, long long n) { where<T>(z, c, lc, a, la, b, lb, n); } \
extern "C" __global__ void fill_##name(T* y, Layout ly, long long n, double v) { fill<T>(y, ly, n, v); }
ALL_TYPES(DEFINE_ALL)

#define DEFINE_COPY_FROM(sname, S) \
extern "C" __global__ void copy_##sname##_f32(float* y, Layout ly, const S* x, Layout lx, long long n) { copy<float, S>(y, ly, x, lx, n); } \
extern "C" __global__ void copy_##sname##_f64(double* y, Layout ly, const S* x, Layout lx, long long n) { copy<double, S>(y, ly, x, lx, n); } \
extern "C" __global__ void copy_##sname##_i64(long long* y, Layout ly, const S* x, Layout lx, long long n) { copy<long long, S>(y, ly, x, lx, n); } \
extern "C" __global__ void copy_##sname##_bool(boolean* y, Layout ly, const S* x, Layout lx, long long n) { copy<boolean, S>(y, ly, x, lx, n); }
ALL_TYPES(DEFINE_COPY_FROM)
