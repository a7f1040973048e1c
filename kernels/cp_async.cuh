// Asynchronous global → shared copies (cp.async, sm_80+, PTX ISA 7.0): the copy engine writes shared memory
// directly, so a tile in flight costs no registers and several tiles can be in flight at once.
#pragma once
#include <stdint.h>

// Copies WIDTH floats (4, 8 or 16 bytes; src and dst aligned to that size) from global src to shared address dst,
// reading only the first `bytes` of them (0 ≤ bytes ≤ 4·WIDTH) and zero-filling the rest: a fully out-of-range
// chunk is bytes = 0 (src must still be a valid address; nothing is read). 16-byte copies bypass L1 (.cg): each
// tile element is used once per block; the narrower ones must go through L1 (.ca is their only form).
template <int WIDTH>
__device__ __forceinline__ void cp_async(uint32_t dst, const float* src, int bytes) {
    static_assert(WIDTH == 1 || WIDTH == 2 || WIDTH == 4, "cp.async copies 4, 8 or 16 bytes");
    if (WIDTH == 4) asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" :: "r"(dst), "l"(src), "r"(bytes));
    if (WIDTH == 2) asm volatile("cp.async.ca.shared.global [%0], [%1], 8, %2;\n" :: "r"(dst), "l"(src), "r"(bytes));
    if (WIDTH == 1) asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" :: "r"(dst), "l"(src), "r"(bytes));
}

// Closes the group of copies this thread issued since the last commit.
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

// Waits until at most PENDING of this thread's committed groups are still in flight (the older ones have landed).
template <int PENDING>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" :: "n"(PENDING)); }
