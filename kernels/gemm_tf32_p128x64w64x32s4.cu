// TF32 GEMM variant p128x64w64x32s4: block tile 128×64, warp tile 64×32, 4 cp.async stages, at least 2 block(s) per SM.
// 4 warps (2×2): twice the output tiles of 128×128 (less split-K on N = 256 shapes), 4 stages in 108 KB.
#define VARIANT p128x64w64x32s4
#define TILE_M 128
#define TILE_N 64
#define WARP_M 64
#define WARP_N 32
#define STAGES 4
#define MIN_BLOCKS 2
#include "gemm_tf32_pipelined.cuh"
