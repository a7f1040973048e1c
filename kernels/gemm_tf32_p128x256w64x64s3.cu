// TF32 GEMM variant p128x256w64x64s3: block tile 128×256, warp tile 64×64, 3 cp.async stages, at least 1 block(s) per SM.
// 8 warps (2×4): one tile spans N = 256, so the large A operand is read once; 162 KB shared, one block per SM.
#define VARIANT p128x256w64x64s3
#define TILE_M 128
#define TILE_N 256
#define WARP_M 64
#define WARP_N 64
#define STAGES 3
#define MIN_BLOCKS 1
#include "gemm_tf32_pipelined.cuh"
