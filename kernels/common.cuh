// Shared by every kernel file: the strided-layout struct, element addressing, and dtype helpers.
//
// A tensor reaches a kernel as a base pointer (its storage) plus a Layout (rank, offset, shape, strides in
// elements). Every kernel walks the row-major linear index i of its output shape and asks each operand's
// Layout where element i lives, so broadcast views (stride 0) and transposed or sliced views need no copy.
// The Java side collapses contiguous operands to rank 1, which makes the address computation one add.
#pragma once
#include <stdint.h>

#define MAX_RANK 8

struct Layout {
    int rank;
    int offset;
    int shape[MAX_RANK];
    int stride[MAX_RANK];
};

// Storage position of element i (row-major over layout.shape).
__device__ __forceinline__ long long at(const Layout& l, long long i) {
    if (l.rank == 1) return l.offset + i * (long long) l.stride[0];
    long long pos = l.offset;
    for (int d = l.rank - 1; d >= 0; d--) {
        int c = (int) (i % l.shape[d]);
        i /= l.shape[d];
        pos += (long long) c * l.stride[d];
    }
    return pos;
}

// A 2-D view passed by value, for kernels that index rows and columns: element (b, j) lives at
// offset + b·s0 + j·s1 (the Java side sends {offset, stride(0), stride(1)}).
struct View2 { int offset, s0, s1; };

__device__ __forceinline__ long long at2(const View2& v, int b, int j) {
    return v.offset + (long long) b * v.s0 + (long long) j * v.s1;
}

// One thread per element, grid-stride so any n fits any grid.
#define FOR_EACH(i, n) for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); \
                            i += (long long) blockDim.x * gridDim.x)

typedef unsigned char boolean;

// Conversions through double, as the CPU backend's get/set do (bool: nonzero is true).
template <typename T> __device__ __forceinline__ double to_double(T v) { return (double) v; }
template <typename T> __device__ __forceinline__ T from_double(double v) { return (T) v; }
template <> __device__ __forceinline__ boolean from_double<boolean>(double v) { return v != 0.0 ? 1 : 0; }

// Java's Double.compare order: -0.0 < 0.0, NaN greater than everything (all NaNs equal).
__device__ __forceinline__ int java_compare(double a, double b) {
    if (a < b) return -1;
    if (a > b) return 1;
    long long x = isnan(a) ? 0x7ff8000000000000LL : __double_as_longlong(a);
    long long y = isnan(b) ? 0x7ff8000000000000LL : __double_as_longlong(b);
    return x == y ? 0 : (x < y ? -1 : 1);
}

// UnaryOp.sigmoid: the two branches keep exp's argument non-positive, so neither overflows.
__device__ __forceinline__ double sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }
