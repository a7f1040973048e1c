package trdetr.backend.cuda;

import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/**
 * The {@code Layout} struct of kernels/common.cuh as an int[]: {rank, offset, shape[8], stride[8]}, passed to a
 * kernel by value. A contiguous tensor collapses to rank 1 (one add per element in the kernel), as does a
 * broadcast scalar (stride 0).
 */
final class Layouts {
    static final int MAX_RANK = 8;

    private Layouts() {}

    static int[] of(Tensor t) { return of(t.shape(), t.strides(), t.offset(), t.isContiguous()); }

    static int[] of(int[] shape, int[] strides, int offset) {
        return of(shape, strides, offset, false);
    }

    private static int[] of(int[] shape, int[] strides, int offset, boolean contiguous) {
        int[] l = new int[2 + 2 * MAX_RANK];
        l[1] = offset;
        boolean allZero = true;
        for (int s : strides) allZero &= s == 0;
        if (contiguous || allZero || shape.length == 0) {
            l[0] = 1;
            l[2] = Math.max(1, Shape.numel(shape));
            l[2 + MAX_RANK] = contiguous ? 1 : 0;
            return l;
        }
        // Drop size-1 axes and merge axes that walk memory as one (stride[d] == shape[d+1]·stride[d+1]).
        int[] sh = new int[shape.length], st = new int[shape.length];
        int r = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (r > 0 && st[r - 1] == shape[d] * strides[d]) {
                sh[r - 1] *= shape[d];
                st[r - 1] = strides[d];
            } else {
                sh[r] = shape[d];
                st[r] = strides[d];
                r++;
            }
        }
        if (r == 0) { sh[0] = 1; st[0] = 1; r = 1; }
        if (r > MAX_RANK) throw new IllegalArgumentException("CUDA kernels take views of rank at most " + MAX_RANK + ", got " + Shape.str(shape));
        l[0] = r;
        System.arraycopy(sh, 0, l, 2, r);
        System.arraycopy(st, 0, l, 2 + MAX_RANK, r);
        return l;
    }
}
