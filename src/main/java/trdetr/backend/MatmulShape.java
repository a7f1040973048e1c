package trdetr.backend;

import java.util.Arrays;
import trdetr.tensor.Shape;

/**
 * The sizes of a batched product op(a)·op(b) under the {@link Backend#matmul} contract, worked out once for every
 * backend: m×k times k×n over a batch, a 2-D operand broadcast over the other's batch (batch stride 0).
 *
 * @param lda, ldb the operands' row lengths (their last dimension)
 */
public record MatmulShape(int batch, int m, int n, int k, int[] outShape, long strideA, long strideB, int lda, int ldb) {

    public static MatmulShape of(int[] as, int[] bs, boolean transA, boolean transB) {
        int m = transA ? as[as.length - 1] : as[as.length - 2];
        int k = transA ? as[as.length - 2] : as[as.length - 1];
        int kb = transB ? bs[bs.length - 1] : bs[bs.length - 2];
        int n = transB ? bs[bs.length - 2] : bs[bs.length - 1];
        if (k != kb) throw new IllegalArgumentException("matmul: inner dimensions differ, shapes " + Shape.str(as) + " and " + Shape.str(bs));
        int[] batchShape = Arrays.copyOf(as.length >= bs.length ? as : bs, Math.max(as.length, bs.length) - 2);
        int[] outShape = Arrays.copyOf(batchShape, batchShape.length + 2);
        outShape[batchShape.length] = m;
        outShape[batchShape.length + 1] = n;
        return new MatmulShape(Shape.numel(batchShape), m, n, k, outShape, as.length == 2 ? 0 : (long) m * k,
                bs.length == 2 ? 0 : (long) k * n, as[as.length - 1], bs[bs.length - 1]);
    }
}
