// One GRU step's gates (trdetr.backend.Backend#gruGates) and their backward, one thread per (row, unit): the ~10
// element-wise launches of the composed step in one. Each operation rounds exactly as the element-wise kernel it
// replaces (float32 add/sub/mul in float, sigmoid, tanh and the affine 1 − x through double; built with
// -fmad=false), so the fused step gives the composed step's bits up to the device's exp/tanh.
#include "common.cuh"

// Tensor.rsub(1.0): the affine unary −1·x + 1 in double.
template <typename T> __device__ __forceinline__ T one_minus(T x) { return (T) (-1.0 * (double) x + 1.0); }

// hOut, r, z, n are contiguous (rows, hidden); gi and gh are (rows, 3·hidden) views, h a (rows, hidden) view.
template <typename T>
__device__ void gru_gates(T* hOut, T* r, T* z, T* n, const T* gi, View2 vgi, const T* gh, View2 vgh, const T* h,
                          View2 vh, int rows, int hidden) {
    FOR_EACH(e, (long long) rows * hidden) {
        const int b = (int) (e / hidden), j = (int) (e % hidden);
        const T rt = (T) sigmoid((double) (T) (gi[at2(vgi, b, j)] + gh[at2(vgh, b, j)]));
        const T zt = (T) sigmoid((double) (T) (gi[at2(vgi, b, hidden + j)] + gh[at2(vgh, b, hidden + j)]));
        const T rg = rt * gh[at2(vgh, b, 2 * hidden + j)];
        const T nt = (T) tanh((double) (T) (gi[at2(vgi, b, 2 * hidden + j)] + rg));
        const T hp = h[at2(vh, b, j)];
        const T zd = zt * (T) (hp - nt);
        hOut[e] = nt + zd;
        r[e] = rt;
        z[e] = zt;
        n[e] = nt;
    }
}

// dgi, dgh contiguous (rows, 3·hidden), dhz contiguous (rows, hidden); r, z, n contiguous; the three gradients
// reaching h' (added as (carry + hidden) + out, the order of Backend#gruGatesBackward), h and ghn views.
template <typename T>
__device__ void gru_gates_backward(T* dgi, T* dgh, T* dhz, const T* carry, View2 vcarry, const T* viaHidden,
                                   View2 vhidden, const T* out, View2 vout, const T* h, View2 vh, const T* r,
                                   const T* z, const T* n, const T* ghn, View2 vghn, int rows, int hidden) {
    FOR_EACH(e, (long long) rows * hidden) {
        const int b = (int) (e / hidden), j = (int) (e % hidden);
        const T d = (T) (carry[at2(vcarry, b, j)] + viaHidden[at2(vhidden, b, j)]) + out[at2(vout, b, j)];
        const T rt = r[e], zt = z[e], nt = n[e];
        const T dn = d * one_minus(zt);
        const T dz = d * (T) (h[at2(vh, b, j)] - nt);
        const T nn = nt * nt;
        const T dPreN = dn * one_minus(nn);
        const T dng = dPreN * ghn[at2(vghn, b, j)];
        const T rr = rt * one_minus(rt);
        const T dPreR = dng * rr;
        const T zz = zt * one_minus(zt);
        const T dPreZ = dz * zz;
        const long long o = (long long) b * 3 * hidden + j;
        dgi[o] = dPreR;
        dgi[o + hidden] = dPreZ;
        dgi[o + 2 * hidden] = dPreN;
        dgh[o] = dPreR;
        dgh[o + hidden] = dPreZ;
        dgh[o + 2 * hidden] = dPreN * rt;
        dhz[e] = d * zt;
    }
}

#define DEFINE(name, T) \
extern "C" __global__ void gru_gates_##name(T* hOut, T* r, T* z, T* n, const T* gi, View2 vgi, const T* gh, View2 vgh, \
        const T* h, View2 vh, int rows, int hidden) { gru_gates<T>(hOut, r, z, n, gi, vgi, gh, vgh, h, vh, rows, hidden); } \
extern "C" __global__ void gru_gates_backward_##name(T* dgi, T* dgh, T* dhz, const T* carry, View2 vcarry, \
        const T* viaHidden, View2 vhidden, const T* out, View2 vout, const T* h, View2 vh, const T* r, const T* z, \
        const T* n, const T* ghn, View2 vghn, int rows, int hidden) \
    { gru_gates_backward<T>(dgi, dgh, dhz, carry, vcarry, viaHidden, vhidden, out, vout, h, vh, r, z, n, ghn, vghn, rows, hidden); }
DEFINE(f32, float)
DEFINE(f64, double)
