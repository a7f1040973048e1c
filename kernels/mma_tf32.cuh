// The two tensor-core primitives every TF32 GEMM kernel shares: rounding an FP32 value to TF32, and one
// m16n8k8 TF32 product with FP32 accumulation (mma.sync, sm_80+, PTX ISA 7.0).
#pragma once
#include <stdint.h>

// Round to nearest, ties away from zero (cvt.rna): the tensor core itself would truncate the low 13 mantissa bits,
// a biased error. CudaGemm.TF32_TOLERANCE and the Java emulation in CudaGemmCheck assume this rounding.
__device__ __forceinline__ uint32_t to_tf32(float x) {
    uint32_t r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
}

// c += a·b for one 16×8 tile of C; a is the 16×8 A fragment (4 registers), b the 8×8 B fragment (2 registers).
// Fragment coordinates with g = lane / 4, t = lane % 4: a = {(g, t), (g+8, t), (g, t+4), (g+8, t+4)} as (row, k),
// b = {(t, g), (t+4, g)} as (k, col), c = {(g, 2t), (g, 2t+1), (g+8, 2t), (g+8, 2t+1)}.
__device__ __forceinline__ void mma_tf32(float* c, const uint32_t* a, const uint32_t* b) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
