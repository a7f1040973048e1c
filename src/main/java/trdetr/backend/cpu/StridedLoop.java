package trdetr.backend.cpu;

import trdetr.tensor.Tensor;

/**
 * Walks several equally shaped strided operands in row-major order, one innermost row at a time. Adjacent axes
 * that are contiguous for every operand are merged first, so contiguous operands become a single long row and
 * the per-row callback cost vanishes. Kernels write their tight loop inside {@link Row#run}.
 *
 * <p>{@link #run} visits the elements in order on the calling thread. {@link #runParallel} is for kernels whose
 * elements are independent (each element's output depends only on that element's inputs): it cuts the
 * row-major element range into contiguous spans (at any element, so one long contiguous row is split too) and
 * runs them over {@link Parallel}'s threads when the tensor is large enough. Every element still goes through
 * the same arithmetic, so the result is bit-identical to the sequential walk.
 */
final class StridedLoop {
    private StridedLoop() {}

    @FunctionalInterface
    interface Row {
        /** Process n elements; operand k starts at offsets[k] and advances by steps[k]. */
        void run(int[] offsets, int[] steps, int n);
    }

    /** Sequential, in row-major order: for kernels whose elements interact (e.g. scatter-add into shared outputs). */
    static void run(Tensor[] operands, Row row) {
        Space space = Space.of(operands);
        if (space != null) space.span(0, space.size, row);
    }

    /** Element-wise kernels: spans of the element range may run on different threads. */
    static void runParallel(Tensor[] operands, Row row) {
        Space space = Space.of(operands);
        if (space != null) Parallel.forRange(space.size, 1, (from, to) -> space.span(from, to, row));
    }

    /** The merged iteration space: r axes of sizes dims, operand k stepping by strides[k][axis]. */
    private static final class Space {
        final int[] dims;
        final int[][] strides;
        final int[] base;
        final int rank;
        final int size;

        private Space(int[] dims, int[][] strides, int[] base, int rank) {
            this.dims = dims;
            this.strides = strides;
            this.base = base;
            this.rank = rank;
            int s = 1;
            for (int i = 0; i < rank; i++) s *= dims[i];
            this.size = s;
        }

        /** Merges axes: drops size-1 axes, then fuses axis i into i+1 when stride_i == size_{i+1}·stride_{i+1} for all. Null when empty. */
        static Space of(Tensor[] operands) {
            int ops = operands.length;
            int[] shape = operands[0].shape();
            int[] dims = new int[shape.length];
            int[][] st = new int[ops][shape.length];
            int[][] strides = new int[ops][];
            int[] base = new int[ops];
            for (int k = 0; k < ops; k++) {
                strides[k] = operands[k].strides();
                base[k] = operands[k].offset();
            }
            int r = 0;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] == 0) return null;
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
            return new Space(dims, st, base, r);
        }

        /** Runs the row-major elements [from, to), one (possibly partial) innermost row per callback. */
        void span(int from, int to, Row row) {
            int ops = base.length;
            if (rank == 0) { // a single element
                row.run(base.clone(), new int[ops], 1);
                return;
            }
            int inner = dims[rank - 1];
            int[] steps = new int[ops];
            for (int k = 0; k < ops; k++) steps[k] = strides[k][rank - 1];
            // Position the counter over the outer axes at from's row, and the row offsets with it.
            int[] counter = new int[rank - 1];
            int[] off = base.clone();
            int rowIndex = from / inner, col = from % inner;
            for (int ax = rank - 2; ax >= 0; ax--) {
                counter[ax] = rowIndex % dims[ax];
                rowIndex /= dims[ax];
                for (int k = 0; k < ops; k++) off[k] += counter[ax] * strides[k][ax];
            }
            int[] cur = new int[ops];
            for (int at = from; ; ) {
                int n = Math.min(inner - col, to - at);
                for (int k = 0; k < ops; k++) cur[k] = off[k] + col * steps[k];
                row.run(cur, steps, n);
                at += n;
                if (at >= to) return;
                col = 0;
                for (int ax = rank - 2; ax >= 0; ax--) {
                    counter[ax]++;
                    for (int k = 0; k < ops; k++) off[k] += strides[k][ax];
                    if (counter[ax] < dims[ax]) break;
                    for (int k = 0; k < ops; k++) off[k] -= strides[k][ax] * dims[ax];
                    counter[ax] = 0;
                }
            }
        }
    }
}
