package trdetr.backend.cpu;

import java.util.Arrays;
import trdetr.backend.AxisSplit;
import trdetr.backend.Backend;
import trdetr.backend.MatmulShape;
import trdetr.backend.BinaryOp;
import trdetr.backend.ReduceOp;
import trdetr.backend.UnaryOp;
import trdetr.tensor.CounterRng;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Storage;
import trdetr.tensor.Tensor;

/**
 * The CPU backend: plain Java loops over host arrays, float32 and float64 side by side, with the matrix
 * product in {@link Sgemm} (Vector API) and {@link Dgemm} (the float64 reference).
 *
 * <p>Large tensors are split over {@link Parallel}'s threads ({@link StridedLoop#runParallel},
 * {@link Parallel#forRange}): by element, row or column, never inside one reduction, so every output is computed
 * by the same arithmetic in the same order whatever the thread count, and results are bit-identical to one thread.
 * Scatter-add stays sequential: sources that hit the same destination must keep their order.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override public String name() { return "cpu"; }

    @Override public Storage allocate(DType dtype, int size) { return CpuStorage.allocate(dtype, size); }

    @Override public Storage upload(Object hostArray) { return new CpuStorage(hostArray); }

    static Object array(Tensor t) { return ((CpuStorage) t.storage()).array; }

    static float[] f32(Tensor t) { return (float[]) array(t); }

    static double[] f64(Tensor t) { return (double[]) array(t); }

    static long[] i64(Tensor t) { return (long[]) array(t); }

    static boolean[] bool(Tensor t) { return (boolean[]) array(t); }

    private static Tensor empty(DType dtype, int[] shape) {
        return Tensor.wrap(CpuStorage.allocate(dtype, Shape.numel(shape)), shape);
    }

    /** t itself when it is contiguous from offset 0 over its whole storage, else a packed copy. */
    private Tensor packed(Tensor t) {
        if (t.isContiguous() && t.offset() == 0 && t.storage().size() == t.numel()) return t;
        Tensor out = empty(t.dtype(), t.shape());
        copy(out, t);
        return out;
    }

    @Override public Object download(Tensor t) {
        Tensor out = empty(t.dtype(), t.shape());
        copy(out, t);
        return array(out);
    }

    // ------------------------------------------------------------------ copies

    @Override public void copy(Tensor dst, Tensor src) {
        if (!Arrays.equals(dst.shape(), src.shape())) {
            throw new IllegalArgumentException("copy: shapes " + Shape.str(dst.shape()) + " and " + Shape.str(src.shape()));
        }
        Object d = array(dst);
        Object s = array(src);
        DType dt = dst.dtype();
        DType st = src.dtype();
        Tensor[] ops = {dst, src};
        StridedLoop.Row body = dt == st ? (o, step, n) -> {
            if (step[0] == 1 && step[1] == 1) { System.arraycopy(s, o[1], d, o[0], n); return; }
            switch (dt) {
                case FLOAT32: { float[] x = (float[]) s, y = (float[]) d; for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += step[0], b += step[1]) y[a] = x[b]; break; }
                case FLOAT64: { double[] x = (double[]) s, y = (double[]) d; for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += step[0], b += step[1]) y[a] = x[b]; break; }
                case INT64: { long[] x = (long[]) s, y = (long[]) d; for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += step[0], b += step[1]) y[a] = x[b]; break; }
                default: { boolean[] x = (boolean[]) s, y = (boolean[]) d; for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += step[0], b += step[1]) y[a] = x[b]; }
            }
        } : (o, step, n) -> {
            for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += step[0], b += step[1]) set(d, dt, a, get(s, st, b));
        };
        // A copy within one buffer keeps the sequential order, so overlapping views behave as they always did.
        if (d == s) StridedLoop.run(ops, body);
        else StridedLoop.runParallel(ops, body);
    }

    private static double get(Object arr, DType t, int i) {
        switch (t) {
            case FLOAT32: return ((float[]) arr)[i];
            case FLOAT64: return ((double[]) arr)[i];
            case INT64: return ((long[]) arr)[i];
            default: return ((boolean[]) arr)[i] ? 1.0 : 0.0;
        }
    }

    private static void set(Object arr, DType t, int i, double v) {
        switch (t) {
            case FLOAT32: ((float[]) arr)[i] = (float) v; break;
            case FLOAT64: ((double[]) arr)[i] = v; break;
            case INT64: ((long[]) arr)[i] = (long) v; break;
            default: ((boolean[]) arr)[i] = v != 0;
        }
    }

    /** Reads n elements (stride 1) into buf as doubles, with the dtype switch outside the loop. */
    private static void readRow(Object arr, DType t, int off, int n, double[] buf) {
        if (t == DType.FLOAT32) { float[] a = (float[]) arr; for (int j = 0; j < n; j++) buf[j] = a[off + j]; }
        else if (t == DType.FLOAT64) System.arraycopy(arr, off, buf, 0, n);
        else for (int j = 0; j < n; j++) buf[j] = get(arr, t, off + j);
    }

    private static void writeRow(Object arr, DType t, int off, int n, double[] buf) {
        if (t == DType.FLOAT32) { float[] a = (float[]) arr; for (int j = 0; j < n; j++) a[off + j] = (float) buf[j]; }
        else if (t == DType.FLOAT64) System.arraycopy(buf, 0, arr, off, n);
        else for (int j = 0; j < n; j++) set(arr, t, off + j, buf[j]);
    }

    @Override public void fill(Tensor dst, double value) {
        Object d = array(dst);
        DType dt = dst.dtype();
        StridedLoop.runParallel(new Tensor[] {dst}, (o, step, n) -> {
            for (int i = 0, a = o[0]; i < n; i++, a += step[0]) set(d, dt, a, value);
        });
    }

    // ------------------------------------------------------------------ element-wise

    @Override public Tensor unary(UnaryOp op, Tensor a, double p0, double p1) {
        Tensor out = empty(a.dtype(), a.shape());
        Tensor[] ops = {out, a};
        if (a.dtype() == DType.FLOAT32) {
            StridedLoop.runParallel(ops, float32Unary(op, f32(out), f32(a), p0, p1));
        } else if (a.dtype() == DType.FLOAT64) {
            double[] y = f64(out), x = f64(a);
            StridedLoop.runParallel(ops, (o, s, n) -> {
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = op.apply(x[q], p0, p1);
            });
        } else {
            throw new IllegalArgumentException(op.name().toLowerCase() + ": needs a float tensor, got " + a.dtype());
        }
        return out;
    }

    /**
     * The float32 loop of a unary op. The model's hot ops get loops of their own, so the JIT compiles each formula
     * inline instead of switching on the op for every element (that switch was ~10% of a CPU training step), and a
     * unit-stride form besides the strided one: a loop whose steps are variables is not vectorised, one indexed by
     * i is. PReLU's forward and backward (LEAKY, LEAKY_SLOPE, NEG_PART on the 75×32×1024 feed-forward activations)
     * were the largest remaining unary cost. Each loop evaluates UnaryOp's own formula in double and rounds once, so
     * results are the same bits as the generic loop.
     */
    private static StridedLoop.Row float32Unary(UnaryOp op, float[] y, float[] x, double p0, double p1) {
        float slope = (float) p0;
        switch (op) {
            case AFFINE: return (o, s, n) -> {
                if (unit(s)) { for (int i = 0, p = o[0], q = o[1]; i < n; i++) y[p + i] = (float) UnaryOp.affine(x[q + i], p0, p1); return; }
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) UnaryOp.affine(x[q], p0, p1); };
            case LEAKY: return (o, s, n) -> {
                if (unit(s) && slope == p0) {   // a float slope (PReLU's): slope·x in float is the double product rounded
                    if (VectorLoops.AVAILABLE) VectorLoops.leaky(x, o[1], y, o[0], n, slope);
                    else ScalarLoops.leaky(x, o[1], y, o[0], n, slope);
                    return;
                }
                if (unit(s)) { for (int i = 0, p = o[0], q = o[1]; i < n; i++) y[p + i] = (float) UnaryOp.leaky(x[q + i], p0); return; }
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) UnaryOp.leaky(x[q], p0); };
            case LEAKY_SLOPE: return (o, s, n) -> {   // x > 0 ? 1 : slope, as UnaryOp.apply
                if (unit(s)) { for (int i = 0, p = o[0], q = o[1]; i < n; i++) y[p + i] = x[q + i] > 0 ? 1f : slope; return; }
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = x[q] > 0 ? 1f : slope; };
            case NEG_PART: return (o, s, n) -> {      // x > 0 ? 0 : x, as UnaryOp.apply
                if (unit(s)) { for (int i = 0, p = o[0], q = o[1]; i < n; i++) y[p + i] = x[q + i] > 0 ? 0f : x[q + i]; return; }
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = x[q] > 0 ? 0f : x[q]; };
            case RELU: return (o, s, n) -> {
                if (unit(s)) { for (int i = 0, p = o[0], q = o[1]; i < n; i++) y[p + i] = (float) UnaryOp.relu(x[q + i]); return; }
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) UnaryOp.relu(x[q]); };
            case SIGMOID: return (o, s, n) -> { for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) UnaryOp.sigmoid(x[q]); };
            case TANH: return (o, s, n) -> { for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) Math.tanh(x[q]); };
            case EXP: return (o, s, n) -> { for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) Math.exp(x[q]); };
            default: return (o, s, n) -> { for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) op.apply(x[q], p0, p1); };
        }
    }

    /** Whether a two-operand row steps by one element in both (the vectorisable case). */
    private static boolean unit(int[] steps) { return steps[0] == 1 && steps[1] == 1; }

    @Override public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        if (op.isComparison() || op.isLogical()) return compare(op, a, b);
        Tensor out = empty(a.dtype(), a.shape());
        Tensor[] ops = {out, a, b};
        if (a.dtype() == DType.FLOAT32) {
            float[] z = f32(out), x = f32(a), y = f32(b);
            StridedLoop.runParallel(ops, (o, s, n) -> {
                if (UnitStrideBinary.tryRow(op, z, x, y, o, s, n)) return;
                int p = o[0], q = o[1], r = o[2];
                switch (op) { // the four common ops get loops of their own (no per-element switch)
                    case ADD: for (int i = 0; i < n; i++, p += s[0], q += s[1], r += s[2]) z[p] = x[q] + y[r]; return;
                    case SUB: for (int i = 0; i < n; i++, p += s[0], q += s[1], r += s[2]) z[p] = x[q] - y[r]; return;
                    case MUL: for (int i = 0; i < n; i++, p += s[0], q += s[1], r += s[2]) z[p] = x[q] * y[r]; return;
                    case DIV: for (int i = 0; i < n; i++, p += s[0], q += s[1], r += s[2]) z[p] = x[q] / y[r]; return;
                    default: for (int i = 0; i < n; i++, p += s[0], q += s[1], r += s[2]) z[p] = (float) op.apply(x[q], y[r]);
                }
            });
        } else if (a.dtype() == DType.FLOAT64) {
            double[] z = f64(out), x = f64(a), y = f64(b);
            StridedLoop.runParallel(ops, (o, s, n) -> {
                for (int i = 0, p = o[0], q = o[1], r = o[2]; i < n; i++, p += s[0], q += s[1], r += s[2]) z[p] = op.apply(x[q], y[r]);
            });
        } else {
            throw new IllegalArgumentException(op.name().toLowerCase() + ": needs float tensors, got " + a.dtype());
        }
        return out;
    }

    private Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        Tensor out = empty(DType.BOOL, a.shape());
        boolean[] z = bool(out);
        Object x = array(a), y = array(b);
        DType t = a.dtype();
        if (op.isLogical()) {
            boolean[] bx = (boolean[]) x, by = (boolean[]) y;
            StridedLoop.runParallel(new Tensor[] {out, a, b}, (o, s, n) -> {
                for (int i = 0, p = o[0], q = o[1], r = o[2]; i < n; i++, p += s[0], q += s[1], r += s[2]) {
                    z[p] = op == BinaryOp.AND ? bx[q] && by[r] : bx[q] || by[r];
                }
            });
        } else {
            StridedLoop.runParallel(new Tensor[] {out, a, b}, (o, s, n) -> {
                for (int i = 0, p = o[0], q = o[1], r = o[2]; i < n; i++, p += s[0], q += s[1], r += s[2]) {
                    z[p] = op.test(get(x, t, q), get(y, t, r));
                }
            });
        }
        return out;
    }

    @Override public Tensor where(Tensor cond, Tensor a, Tensor b) {
        Tensor out = empty(a.dtype(), a.shape());
        boolean[] c = bool(cond);
        Object x = array(a), y = array(b), z = array(out);
        DType t = a.dtype();
        StridedLoop.runParallel(new Tensor[] {out, cond, a, b}, (o, s, n) -> {
            int p = o[0], k = o[1], q = o[2], r = o[3];
            switch (t) {
                case FLOAT32: { float[] zz = (float[]) z, xx = (float[]) x, yy = (float[]) y;
                    for (int i = 0; i < n; i++, p += s[0], k += s[1], q += s[2], r += s[3]) zz[p] = c[k] ? xx[q] : yy[r]; return; }
                case FLOAT64: { double[] zz = (double[]) z, xx = (double[]) x, yy = (double[]) y;
                    for (int i = 0; i < n; i++, p += s[0], k += s[1], q += s[2], r += s[3]) zz[p] = c[k] ? xx[q] : yy[r]; return; }
                default:
                    for (int i = 0; i < n; i++, p += s[0], k += s[1], q += s[2], r += s[3]) System.arraycopy(c[k] ? x : y, c[k] ? q : r, z, p, 1);
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ reductions

    @Override public Tensor reduce(ReduceOp op, Tensor a, int axis) {
        AxisSplit split = AxisSplit.forReduction(op, a.shape(), axis);
        int n = split.n(), outer = split.outer(), inner = split.inner();
        int[] outShape = split.reducedShape();
        boolean arg = op.isArg();
        Tensor x = packed(a.dtype() == DType.FLOAT32 || a.dtype() == DType.FLOAT64 ? a : a.to(DType.FLOAT64));
        Tensor out = empty(arg ? DType.INT64 : x.dtype(), outShape);
        Object xs = array(x), os = array(out);
        DType t = x.dtype();
        int innerSize = inner;
        if (op == ReduceOp.SUM && inner > 1) {
            sumOverMiddleAxis(xs, os, t, outer, n, inner);
            return out;
        }
        // Output elements are independent (each one's reduction runs whole, in order, on one thread).
        Parallel.forRange(outer * inner, Math.max(n, 1), (from, to) -> {
            double[] row = new double[n];
            for (int at = from; at < to; at++) {
                int o = at / innerSize, i = at % innerSize;
                int base = o * n * innerSize + i;
                if (innerSize == 1) readRow(xs, t, base, n, row);
                else if (t == DType.FLOAT32) { float[] xf = (float[]) xs; for (int j = 0; j < n; j++) row[j] = xf[base + j * innerSize]; }
                else { double[] xd = (double[]) xs; for (int j = 0; j < n; j++) row[j] = xd[base + j * innerSize]; }
                double v = reduceRow(op, row, n);
                if (arg) ((long[]) os)[at] = (long) v;
                else set(os, t, at, v);
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
    private static void sumOverMiddleAxis(Object xs, Object os, DType t, int outer, int n, int inner) {
        int blocks = (inner + SUM_COLUMNS - 1) / SUM_COLUMNS;
        Parallel.forRange(outer * blocks, (long) Math.max(n, 1) * Math.min(inner, SUM_COLUMNS), (from, to) -> {
            double[] acc = new double[Math.min(inner, SUM_COLUMNS)];
            for (int task = from; task < to; task++) {
                int o = task / blocks, c0 = (task % blocks) * SUM_COLUMNS, w = Math.min(SUM_COLUMNS, inner - c0);
                Arrays.fill(acc, 0, w, 0.0);
                int base = o * n * inner + c0;
                if (t == DType.FLOAT32) {
                    float[] xf = (float[]) xs;
                    for (int j = 0, r = base; j < n; j++, r += inner) for (int c = 0; c < w; c++) acc[c] += xf[r + c];
                    float[] of = (float[]) os;
                    for (int c = 0; c < w; c++) of[o * inner + c0 + c] = (float) acc[c];
                } else {
                    double[] xd = (double[]) xs;
                    for (int j = 0, r = base; j < n; j++, r += inner) for (int c = 0; c < w; c++) acc[c] += xd[r + c];
                    System.arraycopy(acc, 0, (double[]) os, o * inner + c0, w);
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

    // ------------------------------------------------------------------ matrix products

    /** Float32 on the Vector API: the bias is added to each tile of the product as its last K block is stored. */
    @Override public Tensor linear(Tensor x, boolean transX, Tensor w, Tensor bias) {
        int k = w.size(1);
        if (x.dtype() != DType.FLOAT32 || !Sgemm.fusesBias() || k == 0) return Backend.super.linear(x, transX, w, bias);
        int m = x.size(transX ? 1 : 0), n = w.size(0);
        Tensor px = packed(x), pw = packed(w), pb = packed(bias);
        Tensor out = empty(DType.FLOAT32, new int[] {m, n});
        Sgemm.gemmWithBias(transX, m, n, k, f32(px), transX ? m : k, f32(pw), k, f32(pb), f32(out));
        return out;
    }

    @Override public Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        MatmulShape ms = MatmulShape.of(a.shape(), b.shape(), transA, transB);
        int batch = ms.batch(), m = ms.m(), n = ms.n(), k = ms.k(), lda = ms.lda(), ldb = ms.ldb();
        int strideA = (int) ms.strideA(), strideB = (int) ms.strideB();
        Tensor pa = packed(a), pb = packed(b);
        Tensor out = empty(a.dtype(), ms.outShape());
        if (a.dtype() == DType.FLOAT32) {
            Sgemm.gemmBatched(batch, transA, transB, m, n, k, f32(pa), 0, lda, strideA, f32(pb), 0, ldb, strideB, f32(out), 0, n, m * n, false);
        } else {
            Dgemm.gemmBatched(batch, transA, transB, m, n, k, f64(pa), 0, lda, strideA, f64(pb), 0, ldb, strideB, f64(out), 0, n, m * n, false);
        }
        return out;
    }

    // ------------------------------------------------------------------ softmax and layer norm

    // Rows are independent: each row's sums run whole, in order, on one thread, so splitting rows over threads
    // leaves every result bit-identical.

    @Override public Tensor softmax(Tensor x, boolean log) {
        Tensor in = packed(x);
        Tensor out = empty(x.dtype(), x.shape());
        int n = x.size(-1), rows = n == 0 ? 0 : x.numel() / n;
        if (x.dtype() == DType.FLOAT32) {
            float[] a = f32(in), y = f32(out);
            Parallel.forRange(rows, n, (r0, r1) -> {
                double[] exps = log ? null : new double[n];   // each exp once: the sum's terms are the outputs' numerators
                for (int r = r0; r < r1; r++) {
                    int o = r * n;
                    float m = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) m = Math.max(m, a[o + j]);
                    if (m == Float.NEGATIVE_INFINITY) { Arrays.fill(y, o, o + n, log ? m : 0f); continue; }
                    double s = 0;
                    if (log) for (int j = 0; j < n; j++) s += Math.exp(a[o + j] - m);
                    else for (int j = 0; j < n; j++) { double e = Math.exp(a[o + j] - m); exps[j] = e; s += e; }
                    if (log) { float ls = (float) Math.log(s); for (int j = 0; j < n; j++) y[o + j] = a[o + j] - m - ls; }
                    else { double inv = 1.0 / s; for (int j = 0; j < n; j++) y[o + j] = (float) (exps[j] * inv); }
                }
            });
        } else {
            double[] a = f64(in), y = f64(out);
            Parallel.forRange(rows, n, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int o = r * n;
                    double m = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) m = Math.max(m, a[o + j]);
                    if (m == Double.NEGATIVE_INFINITY) { Arrays.fill(y, o, o + n, log ? m : 0.0); continue; }
                    double s = 0;
                    for (int j = 0; j < n; j++) { double e = Math.exp(a[o + j] - m); y[o + j] = e; s += e; }
                    if (log) { double ls = Math.log(s); for (int j = 0; j < n; j++) y[o + j] = a[o + j] - m - ls; }
                    else { for (int j = 0; j < n; j++) y[o + j] /= s; }
                }
            });
        }
        return out;
    }

    @Override public Tensor softmaxBackward(Tensor y, Tensor gy, boolean log) {
        Tensor py = packed(y), pg = packed(gy);
        Tensor out = empty(y.dtype(), y.shape());
        int n = y.size(-1), rows = n == 0 ? 0 : y.numel() / n;
        Object ya = array(py), ga = array(pg), oa = array(out);
        DType t = y.dtype();
        Parallel.forRange(rows, n, (r0, r1) -> {
            double[] yr = new double[n], gr = new double[n];
            for (int r = r0; r < r1; r++) {
                readRow(ya, t, r * n, n, yr);
                readRow(ga, t, r * n, n, gr);
                double s = 0;
                // softmax: dx = y·(g − Σ g·y); log-softmax: dx = g − exp(y)·Σ g. Masked (-inf) rows get 0.
                if (log) for (int j = 0; j < n; j++) s += gr[j];
                else for (int j = 0; j < n; j++) s += gr[j] * yr[j];
                if (log) for (int j = 0; j < n; j++) gr[j] = yr[j] == Double.NEGATIVE_INFINITY ? 0.0 : gr[j] - Math.exp(yr[j]) * s;
                else for (int j = 0; j < n; j++) gr[j] = yr[j] * (gr[j] - s);
                writeRow(oa, t, r * n, n, gr);
            }
        });
        return out;
    }

    @Override public LayerNormResult layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        Tensor in = packed(x);
        int n = x.size(-1), rows = x.numel() / Math.max(n, 1);
        int[] statShape = Arrays.copyOf(x.shape(), x.rank() - 1);
        DType t = x.dtype();
        Tensor y = empty(t, x.shape()), mean = empty(t, statShape), rstd = empty(t, statShape);
        double[] g = (double[]) download(gamma.to(DType.FLOAT64)), b = (double[]) download(beta.to(DType.FLOAT64));
        Object xa = array(in), ya = array(y), ma = array(mean), ra = array(rstd);
        Parallel.forRange(rows, n, (r0, r1) -> {
            double[] row = new double[n];
            for (int r = r0; r < r1; r++) {
                readRow(xa, t, r * n, n, row);
                double mu = 0;
                for (int j = 0; j < n; j++) mu += row[j];
                mu /= n;
                double var = 0;
                for (int j = 0; j < n; j++) { double d = row[j] - mu; var += d * d; }
                var /= n; // biased variance, as torch.nn.LayerNorm
                double rs = 1.0 / Math.sqrt(var + eps);
                set(ma, t, r, mu);
                set(ra, t, r, rs);
                for (int j = 0; j < n; j++) row[j] = (row[j] - mu) * rs * g[j] + b[j];
                writeRow(ya, t, r * n, n, row);
            }
        });
        return new LayerNormResult(y, mean, rstd);
    }

    @Override public LayerNormGrads layerNormBackward(Tensor gy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd) {
        Tensor pg = packed(gy), px = packed(x), pm = packed(mean), pr = packed(rstd);
        int n = x.size(-1), rows = x.numel() / Math.max(n, 1);
        DType t = x.dtype();
        Tensor dx = empty(t, x.shape());
        double[] gam = (double[]) download(gamma.to(DType.FLOAT64));
        double[] dgamma = new double[n], dbeta = new double[n];
        Object ga = array(pg), xa = array(px), ma = array(pm), ra = array(pr), da = array(dx);
        // dx: rows are independent.
        Parallel.forRange(rows, n, (r0, r1) -> {
            double[] xr = new double[n], gr = new double[n];
            for (int r = r0; r < r1; r++) {
                readRow(xa, t, r * n, n, xr);
                readRow(ga, t, r * n, n, gr);
                double mu = get(ma, t, r), rs = get(ra, t, r);
                double sumG = 0, sumGX = 0;
                for (int j = 0; j < n; j++) {
                    double xhat = (xr[j] - mu) * rs;
                    double gg = gr[j] * gam[j];
                    sumG += gg;
                    sumGX += gg * xhat;
                    xr[j] = xhat;
                }
                for (int j = 0; j < n; j++) xr[j] = rs * (gr[j] * gam[j] - sumG / n - xr[j] * sumGX / n);
                writeRow(da, t, r * n, n, xr);
            }
        });
        // dgamma, dbeta: sums over rows, so they are split by column instead; each column still adds its rows in order.
        Parallel.forRange(n, rows, (c0, c1) -> {
            int w = c1 - c0;
            double[] xr = new double[w], gr = new double[w];
            for (int r = 0; r < rows; r++) {
                readRow(xa, t, r * n + c0, w, xr);
                readRow(ga, t, r * n + c0, w, gr);
                double mu = get(ma, t, r), rs = get(ra, t, r);
                for (int j = 0; j < w; j++) {
                    dgamma[c0 + j] += gr[j] * ((xr[j] - mu) * rs);
                    dbeta[c0 + j] += gr[j];
                }
            }
        });
        Tensor dg = Tensor.of(dgamma, n).to(t), db = Tensor.of(dbeta, n).to(t);
        return new LayerNormGrads(dx, dg, db);
    }

    // ------------------------------------------------------------------ random

    @Override public Tensor dropout(Tensor x, double p, long seed, long offset) {
        Tensor in = packed(x);
        Tensor out = empty(x.dtype(), x.shape());
        int n = out.numel();
        double scale = 1.0 / (1.0 - p);
        long key = CounterRng.key(seed), drop = CounterRng.belowThreshold(p);   // uniform(seed, offset + i) < p, in integers
        if (x.dtype() == DType.FLOAT32) {
            float[] a = f32(in), y = f32(out);
            float keep = (float) scale;
            Parallel.forRange(n, 1, (from, to) -> {
                ScalarLoops.dropout(a, from, y, from, to - from, key, offset + from, drop, keep);
            });
        } else {
            double[] a = f64(in), y = f64(out);
            Parallel.forRange(n, 1, (from, to) -> {
                for (int i = from; i < to; i++) y[i] = (CounterRng.keyedBits(key, offset + i) >>> 40) < drop ? 0.0 : a[i] * scale;
            });
        }
        return out;
    }

    /**
     * PReLU's backward in one pass over contiguous float32 g and x: dx split over the threads (vectorised), the slope's
     * gradient summed in index order on this thread, exactly as the composed kernels sum it.
     */
    @Override public PreluGrads preluBackward(Tensor g, Tensor x, double slope, boolean slopeGradient) {
        if (x.dtype() != DType.FLOAT32 || g.dtype() != DType.FLOAT32 || (float) slope != slope
                || !java.util.Arrays.equals(g.shape(), x.shape())) return null;
        Tensor gp = packed(g), xp = packed(x);
        Tensor dx = empty(DType.FLOAT32, x.shape());
        float[] ga = f32(gp), xa = f32(xp), d = f32(dx);
        float a = (float) slope;
        Parallel.forRange(x.numel(), 1, (from, to) -> {
            if (VectorLoops.AVAILABLE) VectorLoops.leakyInputGradient(ga, from, xa, from, d, from, to - from, a);
            else ScalarLoops.leakyInputGradient(ga, from, xa, from, d, from, to - from, a);
        });
        Tensor ds = null;
        if (slopeGradient) {
            ds = empty(DType.FLOAT32, new int[0]);
            f32(ds)[0] = (float) ScalarLoops.negativePartDot(ga, 0, xa, 0, x.numel());
        }
        return new PreluGrads(dx, ds);
    }

    // ------------------------------------------------------------------ indexing

    /** Index positions on a's side: a's strides with the gathered axis zeroed (the index supplies that coordinate). */
    private static Tensor axisFree(Tensor t, int axis, int[] shape) {
        int[] s = t.strides();
        s[axis] = 0;
        return new Tensor(t.storage(), shape, s, t.offset());
    }

    @Override public Tensor gather(Tensor a, int axis, Tensor index) {
        int[] shape = index.shape();
        Tensor out = empty(a.dtype(), shape);
        long[] idx = i64(index);
        int limit = a.size(axis), step = a.stride(axis);
        Object src = array(a), dst = array(out);
        StridedLoop.runParallel(new Tensor[] {out, index, axisFree(a, axis, shape)}, (o, s, n) -> {
            for (int i = 0, p = o[0], q = o[1], r = o[2]; i < n; i++, p += s[0], q += s[1], r += s[2]) {
                int j = checkIndex("gather", idx[q], limit);
                System.arraycopy(src, r + j * step, dst, p, 1);
            }
        });
        return out;
    }

    @Override public Tensor scatterAdd(int[] shape, int axis, Tensor index, Tensor src) {
        Tensor out = empty(src.dtype(), shape);
        long[] idx = i64(index);
        int limit = shape[axis], step = out.stride(axis);
        Object sa = array(src), da = array(out);
        DType t = src.dtype();
        StridedLoop.run(new Tensor[] {index, src, axisFree(out, axis, index.shape())}, (o, s, n) -> {
            for (int i = 0, q = o[0], p = o[1], r = o[2]; i < n; i++, q += s[0], p += s[1], r += s[2]) {
                int at = r + checkIndex("scatter_add", idx[q], limit) * step;
                if (t == DType.FLOAT32) ((float[]) da)[at] += ((float[]) sa)[p];
                else ((double[]) da)[at] += ((double[]) sa)[p];
            }
        });
        return out;
    }

    private static int checkIndex(String op, long j, int limit) {
        if (j < 0 || j >= limit) throw new IndexOutOfBoundsException(op + ": index " + j + " is out of bounds for size " + limit);
        return (int) j;
    }

    @Override public Tensor cumsum(Tensor a, int axis, boolean reverse) {
        Tensor x = packed(a);
        Tensor out = empty(a.dtype(), a.shape());
        AxisSplit split = AxisSplit.of(a.shape(), axis);
        int n = split.n(), outer = split.outer(), inner = split.inner();
        Object xa = array(x), ya = array(out);
        DType t = a.dtype();
        int innerSize = inner;
        // Each (outer, inner) line is one whole scan on one thread; lines are independent.
        Parallel.forRange(outer * inner, Math.max(n, 1), (from, to) -> {
            for (int line = from; line < to; line++) {
                int o = line / innerSize, i = line % innerSize;
                double s = 0; // accumulate in double, round each partial sum once
                for (int jj = 0; jj < n; jj++) {
                    int j = reverse ? n - 1 - jj : jj;
                    int at = (o * n + j) * innerSize + i;
                    s += get(xa, t, at);
                    set(ya, t, at, s);
                }
            }
        });
        return out;
    }

    @Override public Tensor argsort(Tensor a, boolean descending) {
        Tensor x = packed(a.dtype().isFloating() ? a : a.to(DType.FLOAT64));
        int n = a.size(-1), rows = n == 0 ? 0 : a.numel() / n;
        Tensor out = empty(DType.INT64, a.shape());
        long[] idx = i64(out);
        Object xa = array(x);
        DType t = x.dtype();
        Parallel.forRange(rows, n, (r0, r1) -> {
            Integer[] order = new Integer[n];
            double[] row = new double[n];
            for (int r = r0; r < r1; r++) {
                for (int j = 0; j < n; j++) { order[j] = j; row[j] = get(xa, t, r * n + j); }
                // Stable; NaN sorts as the largest value, as in PyTorch.
                Arrays.sort(order, (i, j) -> descending ? Double.compare(row[j], row[i]) : Double.compare(row[i], row[j]));
                for (int j = 0; j < n; j++) idx[r * n + j] = order[j];
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ optimisation (in place)

    @Override public void adamWStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1,
                                    double beta2, double eps, double weightDecay, long step) {
        Tensor g = packed(grad.dtype() == param.dtype() ? grad : grad.to(param.dtype()));
        for (Tensor t : new Tensor[] {param, expAvg, expAvgSq}) {
            if (!t.isContiguous() || t.offset() != 0) throw new IllegalArgumentException("adamw: state tensors must be contiguous");
        }
        double bc1 = 1 - Math.pow(beta1, step), bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / bc1, decay = 1 - lr * weightDecay;
        int n = param.numel();
        if (param.dtype() == DType.FLOAT32) {
            float[] p = f32(param), gr = f32(g), m = f32(expAvg), v = f32(expAvgSq);
            float fDecay = (float) decay, b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 - beta1), c2 = (float) (1 - beta2);
            float fBc2 = (float) bc2Sqrt, fEps = (float) eps, fStep = (float) stepSize;
            Parallel.forRange(n, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    p[i] *= fDecay;
                    m[i] = m[i] * b1 + gr[i] * c1;
                    v[i] = v[i] * b2 + gr[i] * gr[i] * c2;
                    float denom = (float) Math.sqrt(v[i]) / fBc2 + fEps;
                    p[i] -= fStep * (m[i] / denom);
                }
            });
        } else {
            double[] p = f64(param), gr = f64(g), m = f64(expAvg), v = f64(expAvgSq);
            Parallel.forRange(n, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    p[i] *= decay;
                    m[i] = m[i] * beta1 + gr[i] * (1 - beta1);
                    v[i] = v[i] * beta2 + gr[i] * gr[i] * (1 - beta2);
                    p[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps));
                }
            });
        }
    }

    @Override public void scaleInPlace(Tensor dst, double factor) {
        Object d = array(dst);
        DType t = dst.dtype();
        StridedLoop.runParallel(new Tensor[] {dst}, (o, step, n) -> {
            if (t == DType.FLOAT32) { float[] a = (float[]) d; float f = (float) factor; for (int i = 0, k = o[0]; i < n; i++, k += step[0]) a[k] *= f; }
            else { double[] a = (double[]) d; for (int i = 0, k = o[0]; i < n; i++, k += step[0]) a[k] *= factor; }
        });
    }
}
