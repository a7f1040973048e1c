package trdetr.backend.cpu;

import static trdetr.backend.cpu.CpuTensors.bool;
import static trdetr.backend.cpu.CpuTensors.empty;
import static trdetr.backend.cpu.CpuTensors.f32;
import static trdetr.backend.cpu.CpuTensors.f64;
import static trdetr.backend.cpu.CpuTensors.i64;
import static trdetr.backend.cpu.CpuTensors.packed;

import java.util.Arrays;
import trdetr.backend.AxisSplit;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * Gather, scatter-add, cumsum and argsort, as kernels/indexing.cu on the GPU. Scatter-add stays sequential: sources
 * that hit the same destination must keep their order.
 */
final class CpuIndexing {
    private CpuIndexing() {}

    /** Index positions on a's side: a's strides with the gathered axis zeroed (the index supplies that coordinate). */
    private static Tensor axisFree(Tensor t, int axis, int[] shape) {
        int[] s = t.strides();
        s[axis] = 0;
        return new Tensor(t.storage(), shape, s, t.offset());
    }

    static Tensor gather(Tensor a, int axis, Tensor index) {
        int[] shape = index.shape();
        Tensor out = empty(a.dtype(), shape);
        long[] idx = i64(index);
        int limit = a.size(axis), step = a.stride(axis);
        // Operand 2 walks a without the gathered axis; the index adds that axis's offset.
        StridedLoop.Row body;
        switch (a.dtype()) {
            case FLOAT32: { float[] x = f32(a), y = f32(out);
                body = (o, s, n) -> { for (int i = 0, p = o[0], q = o[1], r = o[2]; i < n; i++, p += s[0], q += s[1], r += s[2]) y[p] = x[r + at(idx[q], limit, step)]; };
                break; }
            case FLOAT64: { double[] x = f64(a), y = f64(out);
                body = (o, s, n) -> { for (int i = 0, p = o[0], q = o[1], r = o[2]; i < n; i++, p += s[0], q += s[1], r += s[2]) y[p] = x[r + at(idx[q], limit, step)]; };
                break; }
            case INT64: { long[] x = i64(a), y = i64(out);
                body = (o, s, n) -> { for (int i = 0, p = o[0], q = o[1], r = o[2]; i < n; i++, p += s[0], q += s[1], r += s[2]) y[p] = x[r + at(idx[q], limit, step)]; };
                break; }
            default: { boolean[] x = bool(a), y = bool(out);
                body = (o, s, n) -> { for (int i = 0, p = o[0], q = o[1], r = o[2]; i < n; i++, p += s[0], q += s[1], r += s[2]) y[p] = x[r + at(idx[q], limit, step)]; }; }
        }
        StridedLoop.runParallel(new Tensor[] {out, index, axisFree(a, axis, shape)}, body);
        return out;
    }

    /** The offset along the gathered axis of index j, checked against the axis's size. */
    private static int at(long j, int limit, int step) { return checkIndex("gather", j, limit) * step; }

    static Tensor scatterAdd(int[] shape, int axis, Tensor index, Tensor src) {
        Tensor out = empty(src.dtype(), shape);
        long[] idx = i64(index);
        int limit = shape[axis], step = out.stride(axis);
        StridedLoop.Row body;
        if (src.dtype() == DType.FLOAT32) {
            float[] x = f32(src), y = f32(out);
            body = (o, s, n) -> {
                for (int i = 0, q = o[0], p = o[1], r = o[2]; i < n; i++, q += s[0], p += s[1], r += s[2]) y[r + checkIndex("scatter_add", idx[q], limit) * step] += x[p];
            };
        } else {
            double[] x = f64(src), y = f64(out);
            body = (o, s, n) -> {
                for (int i = 0, q = o[0], p = o[1], r = o[2]; i < n; i++, q += s[0], p += s[1], r += s[2]) y[r + checkIndex("scatter_add", idx[q], limit) * step] += x[p];
            };
        }
        StridedLoop.run(new Tensor[] {index, src, axisFree(out, axis, index.shape())}, body);
        return out;
    }

    private static int checkIndex(String op, long j, int limit) {
        if (j < 0 || j >= limit) throw new IndexOutOfBoundsException(op + ": index " + j + " is out of bounds for size " + limit);
        return (int) j;
    }

    static Tensor cumsum(Tensor a, int axis, boolean reverse) {
        Tensor out = empty(a.dtype(), a.shape());
        AxisSplit split = AxisSplit.of(a.shape(), axis);
        int n = split.n(), outer = split.outer(), inner = split.inner();
        DoubleView xs = DoubleView.of(packed(a)), ys = DoubleView.of(out);
        // Each (outer, inner) line is one whole scan on one thread; lines are independent.
        Parallel.forRange(outer * inner, Math.max(n, 1), (from, to) -> {
            for (int line = from; line < to; line++) {
                int o = line / inner, i = line % inner;
                double s = 0; // accumulate in double, round each partial sum once
                for (int jj = 0; jj < n; jj++) {
                    int j = reverse ? n - 1 - jj : jj;
                    int at = (o * n + j) * inner + i;
                    s += xs.get(at);
                    ys.set(at, s);
                }
            }
        });
        return out;
    }

    static Tensor argsort(Tensor a, boolean descending) {
        DoubleView xs = DoubleView.of(packed(a.dtype().isFloating() ? a : a.to(DType.FLOAT64)));
        int n = a.size(-1), rows = n == 0 ? 0 : a.numel() / n;
        Tensor out = empty(DType.INT64, a.shape());
        long[] idx = i64(out);
        Parallel.forRange(rows, n, (r0, r1) -> {
            Integer[] order = new Integer[n];
            double[] row = new double[n];
            for (int r = r0; r < r1; r++) {
                xs.read(r * n, n, row);
                for (int j = 0; j < n; j++) order[j] = j;
                // Stable; NaN sorts as the largest value, as in PyTorch.
                Arrays.sort(order, (i, j) -> descending ? Double.compare(row[j], row[i]) : Double.compare(row[i], row[j]));
                for (int j = 0; j < n; j++) idx[r * n + j] = order[j];
            }
        });
        return out;
    }
}
