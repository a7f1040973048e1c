// TF32 GEMM variant p64x64w32x32s4: block tile 64×64, warp tile 32×32, 4 cp.async stages, at least 3 block(s) per SM.
// 4 warps (2×2): for small and batched products (attention), many small tiles, 72 KB shared.
#define VARIANT p64x64w32x32s4
#define TILE_M 64
#define TILE_N 64
#define WARP_M 32
#define WARP_N 32
#define STAGES 4
#define MIN_BLOCKS 3
#include "gemm_tf32_pipelined.cuh"
