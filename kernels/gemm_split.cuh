// The part of a batched split-K GEMM block that is the same for every tiling: which (batch, split) the block
// computes (grid z = batch × splits), and the operand, output and K range that follow from it.
#pragma once

struct GemmSplit {
    int kBegin, kEnd;   // this split's K range
};

// Moves a and b to this block's batch (a stride of 0 broadcasts a 2-D operand) and c to this (split, batch) slice of
// the output or split-K workspace (slices ordered split-major, each m × n), and returns the split's K range.
__device__ __forceinline__ GemmSplit gemm_split(float*& c, const float*& a, const float*& b, int m, int n, int k,
                                                long long strideA, long long strideB, int splits, int kPerSplit, int batch) {
    const int z = blockIdx.z, split = z % splits, bi = z / splits;
    a += bi * strideA;
    b += bi * strideB;
    c += ((long long) split * batch + bi) * m * n;
    const int kBegin = split * kPerSplit;
    return {kBegin, min(k, kBegin + kPerSplit)};
}
