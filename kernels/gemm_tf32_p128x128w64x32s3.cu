// TF32 GEMM variant p128x128w64x32s3: block tile 128×128, warp tile 64×32, 3 cp.async stages, at least 2 block(s) per SM.
// 8 warps (2×4): the legacy kernel's tiling, pipelined; 108 KB shared, 128 registers per thread at most.
#define VARIANT p128x128w64x32s3
#define TILE_M 128
#define TILE_N 128
#define WARP_M 64
#define WARP_N 32
#define STAGES 3
#define MIN_BLOCKS 2
#include "gemm_tf32_pipelined.cuh"
