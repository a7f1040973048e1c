package trdetr.backend;

import java.util.List;

/**
 * One matrix product C = op(A)·op(B) (op(A) m×k, op(B) k×n, `batch` of them) as the model issues it: the shapes
 * that the GEMM benchmarks time (`bench gemm`, bench/ JMH).
 */
public record GemmShape(String name, int batch, int m, int n, int k, boolean transA, boolean transB) {

    /** TR-DETR's large products (2400 = batch 32 × 75 clips) and its attention-sized batched one. */
    public static final List<GemmShape> MODEL = List.of(
            new GemmShape("nn_proj_2400x2818x256", 1, 2400, 256, 2818, false, false),    // input projection x·W
            new GemmShape("nt_linear_2818to256", 1, 2400, 256, 2818, false, true),       // x·Wᵀ, W [256×2818]
            new GemmShape("tn_wgrad_2818x2400x256", 1, 2818, 256, 2400, true, false),    // weight gradient xᵀ·dY
            new GemmShape("nt_dgrad_256to2818", 1, 2400, 2818, 256, false, true),        // input gradient dY·Wᵀ
            new GemmShape("nn_ffn_2400x256x1024", 1, 2400, 1024, 256, false, false),     // FFN up
            new GemmShape("nn_ffn_2400x1024x256", 1, 2400, 256, 1024, false, false),     // FFN down
            new GemmShape("bmm_nt_attn_256x75x75x32", 256, 75, 75, 32, false, true));    // batch·heads × Q·Kᵀ

    /** Shape of A as stored (row-major): [batch,] op(A) transposed back when transA. */
    public int[] shapeA() { return stored(transA ? k : m, transA ? m : k); }

    public int[] shapeB() { return stored(transB ? n : k, transB ? k : n); }

    public double flops() { return 2.0 * batch * m * n * k; }

    private int[] stored(int rows, int cols) { return batch == 1 ? new int[] {rows, cols} : new int[] {batch, rows, cols}; }
}
