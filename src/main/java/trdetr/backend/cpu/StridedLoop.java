package trdetr.backend.cpu;

import trdetr.tensor.Tensor;

/**
 * Walks several equally shaped strided operands in row-major order, one innermost row at a time. Adjacent axes
 * that are contiguous for every operand are merged first, so contiguous operands become a single long row and
 * the per-row callback cost vanishes. Kernels write their tight loop inside {@link Row#run}.
 */
final class StridedLoop {
    private StridedLoop() {}

    @FunctionalInterface
    interface Row {
        /** Process n elements; operand k starts at offsets[k] and advances by steps[k]. */
        void run(int[] offsets, int[] steps, int n);
    }

    static void run(int[] shape, int[][] strides, int[] baseOffsets, Row row) {
        int ops = strides.length;
        // Merge axes: drop size-1 axes, then fuse axis i into i+1 when stride_i == size_{i+1}·stride_{i+1} for all.
        int[] dims = new int[shape.length];
        int[][] st = new int[ops][shape.length];
        int r = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) return;
            if (shape[i] == 1) continue;
            if (r > 0) {
                boolean fuse = true;
                for (int k = 0; k < ops && fuse; k++) fuse = st[k][r - 1] == shape[i] * strides[k][i];
                if (fuse) {
                    dims[r - 1] *= shape[i];
                    for (int k = 0; k < ops; k++) st[k][r - 1] = strides[k][i];
                    continue;
                }
            }
            dims[r] = shape[i];
            for (int k = 0; k < ops; k++) st[k][r] = strides[k][i];
            r++;
        }
        int[] off = baseOffsets.clone();
        if (r == 0) { // a single element
            row.run(off, new int[ops], 1);
            return;
        }
        int inner = dims[r - 1];
        int[] steps = new int[ops];
        for (int k = 0; k < ops; k++) steps[k] = st[k][r - 1];
        int[] counter = new int[r - 1];
        int[] cur = off.clone();
        while (true) {
            System.arraycopy(off, 0, cur, 0, ops);
            row.run(cur, steps, inner);
            int ax = r - 2;
            while (ax >= 0) {
                counter[ax]++;
                for (int k = 0; k < ops; k++) off[k] += st[k][ax];
                if (counter[ax] < dims[ax]) break;
                for (int k = 0; k < ops; k++) off[k] -= st[k][ax] * dims[ax];
                counter[ax] = 0;
                ax--;
            }
            if (ax < 0) return;
        }
    }

    static void run(Tensor[] operands, Row row) {
        int[][] strides = new int[operands.length][];
        int[] offsets = new int[operands.length];
        for (int k = 0; k < operands.length; k++) {
            strides[k] = operands[k].strides();
            offsets[k] = operands[k].offset();
        }
        run(operands[0].shape(), strides, offsets, row);
    }
}
