// TF32 GEMM variant p128x128w64x64s3: block tile 128×128, warp tile 64×64, 3 cp.async stages, at least 2 block(s) per SM.
// 4 warps (2×2) with the larger warp tile: 96 B of shared-memory reads per mma instead of 144, fewer warps to hide latency.
#define VARIANT p128x128w64x64s3
#define TILE_M 128
#define TILE_N 128
#define WARP_M 64
#define WARP_N 64
#define STAGES 3
#define MIN_BLOCKS 2
#include "gemm_tf32_pipelined.cuh"
