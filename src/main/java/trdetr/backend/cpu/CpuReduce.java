package trdetr.backend.cpu;

import static trdetr.backend.cpu.CpuTensors.empty;
import static trdetr.backend.cpu.CpuTensors.f32;
import static trdetr.backend.cpu.CpuTensors.f64;
import static trdetr.backend.cpu.CpuTensors.i64;
import static trdetr.backend.cpu.CpuTensors.packed;

import java.util.Arrays;
import trdetr.backend.AxisSplit;
import trdetr.backend.ReduceOp;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * Reductions over one axis (sum, max, min, their arg forms, logsumexp), as kernels/reduce.cu on the GPU. Each reduction
 * runs in double, in index order, whole on one thread; float32 results are rounded once.
 */
final class CpuReduce {
    private CpuReduce() {}

    static Tensor reduce(ReduceOp op, Tensor a, int axis) {
        AxisSplit split = AxisSplit.forReduction(op, a.shape(), axis);
        int n = split.n(), outer = split.outer(), inner = split.inner();
        int[] outShape = split.reducedShape();
        boolean arg = op.isArg();
        Tensor x = packed(a.dtype() == DType.FLOAT32 || a.dtype() == DType.FLOAT64 ? a : a.to(DType.FLOAT64));
        Tensor out = empty(arg ? DType.INT64 : x.dtype(), outShape);
        if (op == ReduceOp.SUM && inner > 1) {
            sumOverMiddleAxis(x, out, outer, n, inner);
            return out;
        }
        DoubleView xs = DoubleView.of(x);
        DoubleView values = arg ? null : DoubleView.of(out);
        long[] indices = arg ? i64(out) : null;
        int innerSize = inner;
        // Output elements are independent (each one's reduction runs whole, in order, on one thread).
        Parallel.forRange(outer * inner, Math.max(n, 1), (from, to) -> {
            double[] row = new double[n];
            for (int at = from; at < to; at++) {
                int o = at / innerSize, i = at % innerSize;
                xs.read(o * n * innerSize + i, innerSize, n, row);
                double v = reduceRow(op, row, n);
                if (arg) indices[at] = (long) v;
                else values.set(at, v);
            }
        });
        return out;
    }

    /** Columns per task of {@link #sumOverMiddleAxis}: their double accumulators stay in L1, and a 256-wide bias
     *  gradient still makes 4 tasks for the threads. */
    private static final int SUM_COLUMNS = 64;

    /**
     * Sums over the middle axis of an (outer, n, inner) array, inner > 1: the bias gradients and every other sum
     * over a leading axis. Reading one output's n addends at stride inner touches a new cache line per addend, so
     * instead a task takes a block of adjacent outputs and adds whole rows into double accumulators, row j after
     * row j − 1. Each output still starts at 0 and adds its addends in the order j = 0 … n − 1 in double, exactly as
     * {@link #reduceRow} does, so the results are bit-identical.
     */
    private static void sumOverMiddleAxis(Tensor x, Tensor out, int outer, int n, int inner) {
        boolean single = x.dtype() == DType.FLOAT32;
        float[] xf = single ? f32(x) : null, of = single ? f32(out) : null;
        double[] xd = single ? null : f64(x), od = single ? null : f64(out);
        int blocks = (inner + SUM_COLUMNS - 1) / SUM_COLUMNS;
        Parallel.forRange(outer * blocks, (long) Math.max(n, 1) * Math.min(inner, SUM_COLUMNS), (from, to) -> {
            double[] acc = new double[Math.min(inner, SUM_COLUMNS)];
            for (int task = from; task < to; task++) {
                int o = task / blocks, c0 = (task % blocks) * SUM_COLUMNS, w = Math.min(SUM_COLUMNS, inner - c0);
                Arrays.fill(acc, 0, w, 0.0);
                int base = o * n * inner + c0;
                if (single) {
                    for (int j = 0, r = base; j < n; j++, r += inner) for (int c = 0; c < w; c++) acc[c] += xf[r + c];
                    for (int c = 0; c < w; c++) of[o * inner + c0 + c] = (float) acc[c];
                } else {
                    for (int j = 0, r = base; j < n; j++, r += inner) for (int c = 0; c < w; c++) acc[c] += xd[r + c];
                    System.arraycopy(acc, 0, od, o * inner + c0, w);
                }
            }
        });
    }

    /** One reduction in float64 (float32 inputs are summed in double, then rounded once). */
    private static double reduceRow(ReduceOp op, double[] row, int n) {
        switch (op) {
            case SUM: { double s = 0; for (int j = 0; j < n; j++) s += row[j]; return s; }
            case MAX: case ARGMAX: {
                int best = 0;
                for (int j = 1; j < n; j++) if (row[j] > row[best] || (Double.isNaN(row[j]) && !Double.isNaN(row[best]))) best = j;
                return op == ReduceOp.MAX ? row[best] : best;
            }
            case MIN: case ARGMIN: {
                int best = 0;
                for (int j = 1; j < n; j++) if (row[j] < row[best] || (Double.isNaN(row[j]) && !Double.isNaN(row[best]))) best = j;
                return op == ReduceOp.MIN ? row[best] : best;
            }
            case LOGSUMEXP: {
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) m = Math.max(m, row[j]);
                if (m == Double.NEGATIVE_INFINITY) return m;
                double s = 0;
                for (int j = 0; j < n; j++) s += Math.exp(row[j] - m);
                return m + Math.log(s);
            }
            default: throw new AssertionError(op);
        }
    }
}
