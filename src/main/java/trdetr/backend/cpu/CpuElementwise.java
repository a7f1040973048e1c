package trdetr.backend.cpu;

import static trdetr.backend.cpu.CpuTensors.array;
import static trdetr.backend.cpu.CpuTensors.bool;
import static trdetr.backend.cpu.CpuTensors.empty;
import static trdetr.backend.cpu.CpuTensors.f32;
import static trdetr.backend.cpu.CpuTensors.f64;
import static trdetr.backend.cpu.CpuTensors.i64;
import static trdetr.backend.cpu.CpuTensors.packed;

import java.util.Arrays;
import trdetr.backend.Backend.PreluGrads;
import trdetr.backend.BinaryOp;
import trdetr.backend.UnaryOp;
import trdetr.tensor.CounterRng;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/**
 * The element-wise kernels, as kernels/elementwise.cu on the GPU: copy, fill, unary and binary ops, comparisons,
 * where, dropout (and PReLU's fused backward), the AdamW step and in-place scaling. Each picks its typed loop from
 * the dtype once, at entry; the strided walk and its split over threads are {@link StridedLoop}'s.
 */
final class CpuElementwise {
    private CpuElementwise() {}

    // ------------------------------------------------------------------ copies

    static void copy(Tensor dst, Tensor src) {
        if (!Arrays.equals(dst.shape(), src.shape())) {
            throw new IllegalArgumentException("copy: shapes " + Shape.str(dst.shape()) + " and " + Shape.str(src.shape()));
        }
        Object d = array(dst), s = array(src);
        Tensor[] ops = {dst, src};
        StridedLoop.Row body;
        if (dst.dtype() == src.dtype()) {
            StridedLoop.Row strided = stridedCopy(dst, src);
            body = (o, step, n) -> {
                if (step[0] == 1 && step[1] == 1) System.arraycopy(s, o[1], d, o[0], n);
                else strided.run(o, step, n);
            };
        } else {
            DoubleView y = DoubleView.of(dst), x = DoubleView.of(src);
            body = (o, step, n) -> {
                for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += step[0], b += step[1]) y.set(a, x.get(b));
            };
        }
        // A copy within one buffer keeps the sequential order, so overlapping views behave as they always did.
        if (d == s) StridedLoop.run(ops, body);
        else StridedLoop.runParallel(ops, body);
    }

    /** The same-dtype copy of a row that is not unit-stride in both operands. */
    private static StridedLoop.Row stridedCopy(Tensor dst, Tensor src) {
        switch (dst.dtype()) {
            case FLOAT32: { float[] x = f32(src), y = f32(dst);
                return (o, step, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += step[0], b += step[1]) y[a] = x[b]; }; }
            case FLOAT64: { double[] x = f64(src), y = f64(dst);
                return (o, step, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += step[0], b += step[1]) y[a] = x[b]; }; }
            case INT64: { long[] x = i64(src), y = i64(dst);
                return (o, step, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += step[0], b += step[1]) y[a] = x[b]; }; }
            default: { boolean[] x = bool(src), y = bool(dst);
                return (o, step, n) -> { for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += step[0], b += step[1]) y[a] = x[b]; }; }
        }
    }

    static void fill(Tensor dst, double value) {
        StridedLoop.Row body;
        switch (dst.dtype()) {
            case FLOAT32: { float[] y = f32(dst); float v = (float) value;
                body = (o, step, n) -> { for (int i = 0, a = o[0]; i < n; i++, a += step[0]) y[a] = v; }; break; }
            case FLOAT64: { double[] y = f64(dst);
                body = (o, step, n) -> { for (int i = 0, a = o[0]; i < n; i++, a += step[0]) y[a] = value; }; break; }
            case INT64: { long[] y = i64(dst); long v = (long) value;
                body = (o, step, n) -> { for (int i = 0, a = o[0]; i < n; i++, a += step[0]) y[a] = v; }; break; }
            default: { boolean[] y = bool(dst); boolean v = value != 0;
                body = (o, step, n) -> { for (int i = 0, a = o[0]; i < n; i++, a += step[0]) y[a] = v; }; }
        }
        StridedLoop.runParallel(new Tensor[] {dst}, body);
    }

    // ------------------------------------------------------------------ unary and binary ops

    static Tensor unary(UnaryOp op, Tensor a, double p0, double p1) { return unary(op, a, p0, p1, empty(a.dtype(), a.shape())); }

    /**
     * The op into out, which may be a itself: every loop reads an element before it writes the same position (the
     * vector and buffered ones a whole block first), so writing over the input gives the same values.
     */
    static Tensor unary(UnaryOp op, Tensor a, double p0, double p1, Tensor out) {
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
     * results are the same bits as the generic loop; except the sigmoid, tanh, sine and cosine, whose float32 form is
     * {@link FloatTranscendentals}' (the same formulas with an exponential, sine and cosine of our own, in vector lanes).
     */
    private static StridedLoop.Row float32Unary(UnaryOp op, float[] y, float[] x, double p0, double p1) {
        float slope = (float) p0;
        switch (op) {
            case AFFINE: return (o, s, n) -> {
                if (unit(s)) { for (int i = 0, p = o[0], q = o[1]; i < n; i++) y[p + i] = (float) UnaryOp.affine(x[q + i], p0, p1); return; }
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) UnaryOp.affine(x[q], p0, p1); };
            case LEAKY: return (o, s, n) -> {
                if (unit(s) && slope == p0) {   // a float slope (PReLU's): slope·x in float is the double product rounded
                    if (VectorLoopGates.LOOPS) VectorLoops.leaky(x, o[1], y, o[0], n, slope);
                    else ScalarLoops.leaky(x, o[1], y, o[0], n, slope);
                    return;
                }
                if (unit(s)) { for (int i = 0, p = o[0], q = o[1]; i < n; i++) y[p + i] = (float) UnaryOp.leaky(x[q + i], p0); return; }
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) UnaryOp.leaky(x[q], p0); };
            case LEAKY_SLOPE: return (o, s, n) -> {   // x > 0 ? 1 : slope, as UnaryOp.apply
                if (unit(s)) { for (int i = 0, p = o[0], q = o[1]; i < n; i++) y[p + i] = x[q + i] > 0 ? 1f : slope; return; }
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = x[q] > 0 ? 1f : slope; };
            case NEG_PART: return (o, s, n) -> {      // min(x, 0), as UnaryOp.apply: x > 0 ? 0 : x without a branch
                if (unit(s)) { for (int i = 0, p = o[0], q = o[1]; i < n; i++) y[p + i] = Math.min(x[q + i], 0f); return; }
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = Math.min(x[q], 0f); };
            case RELU: return (o, s, n) -> {
                if (unit(s)) { for (int i = 0, p = o[0], q = o[1]; i < n; i++) y[p + i] = (float) UnaryOp.relu(x[q + i]); return; }
                for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) UnaryOp.relu(x[q]); };
            case SIGMOID: case TANH: case SIN: case COS: {
                FloatTranscendentals.Fn f = FloatTranscendentals.Fn.valueOf(op.name());
                return (o, s, n) -> FloatTranscendentals.apply(f, x, o[1], s[1], y, o[0], s[0], n); }
            case EXP: return (o, s, n) -> { for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) Math.exp(x[q]); };
            default: return (o, s, n) -> { for (int i = 0, p = o[0], q = o[1]; i < n; i++, p += s[0], q += s[1]) y[p] = (float) op.apply(x[q], p0, p1); };
        }
    }

    /** Whether a two-operand row steps by one element in both (the vectorisable case). */
    private static boolean unit(int[] steps) { return steps[0] == 1 && steps[1] == 1; }

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        if (op.isComparison() || op.isLogical()) return compare(op, a, b);
        return binary(op, a, b, empty(a.dtype(), a.shape()));
    }

    /** An arithmetic op into out, which may be b itself (each position read before it is written). */
    static Tensor binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
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

    /** Comparisons of two tensors of one dtype (compared as doubles), and AND / OR of two BOOL tensors: BOOL out. */
    private static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        Tensor out = empty(DType.BOOL, a.shape());
        boolean[] z = bool(out);
        StridedLoop.Row body;
        if (op.isLogical()) {
            boolean[] x = bool(a), y = bool(b);
            body = (o, s, n) -> {
                for (int i = 0, p = o[0], q = o[1], r = o[2]; i < n; i++, p += s[0], q += s[1], r += s[2]) {
                    z[p] = op == BinaryOp.AND ? x[q] && y[r] : x[q] || y[r];
                }
            };
        } else {
            DoubleView x = DoubleView.of(a), y = DoubleView.of(b);
            body = (o, s, n) -> {
                for (int i = 0, p = o[0], q = o[1], r = o[2]; i < n; i++, p += s[0], q += s[1], r += s[2]) z[p] = op.test(x.get(q), y.get(r));
            };
        }
        StridedLoop.runParallel(new Tensor[] {out, a, b}, body);
        return out;
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Tensor out = empty(a.dtype(), a.shape());
        boolean[] c = bool(cond);
        StridedLoop.Row body;
        switch (a.dtype()) {
            case FLOAT32: { float[] z = f32(out), x = f32(a), y = f32(b);
                body = (o, s, n) -> { for (int i = 0, p = o[0], k = o[1], q = o[2], r = o[3]; i < n; i++, p += s[0], k += s[1], q += s[2], r += s[3]) z[p] = c[k] ? x[q] : y[r]; };
                break; }
            case FLOAT64: { double[] z = f64(out), x = f64(a), y = f64(b);
                body = (o, s, n) -> { for (int i = 0, p = o[0], k = o[1], q = o[2], r = o[3]; i < n; i++, p += s[0], k += s[1], q += s[2], r += s[3]) z[p] = c[k] ? x[q] : y[r]; };
                break; }
            case INT64: { long[] z = i64(out), x = i64(a), y = i64(b);
                body = (o, s, n) -> { for (int i = 0, p = o[0], k = o[1], q = o[2], r = o[3]; i < n; i++, p += s[0], k += s[1], q += s[2], r += s[3]) z[p] = c[k] ? x[q] : y[r]; };
                break; }
            default: { boolean[] z = bool(out), x = bool(a), y = bool(b);
                body = (o, s, n) -> { for (int i = 0, p = o[0], k = o[1], q = o[2], r = o[3]; i < n; i++, p += s[0], k += s[1], q += s[2], r += s[3]) z[p] = c[k] ? x[q] : y[r]; }; }
        }
        StridedLoop.runParallel(new Tensor[] {out, cond, a, b}, body);
        return out;
    }

    // ------------------------------------------------------------------ dropout and PReLU's backward

    static Tensor dropout(Tensor x, double p, long seed, long offset) {
        Tensor in = packed(x);
        Tensor out = empty(x.dtype(), x.shape());
        int n = out.numel();
        double scale = 1.0 / (1.0 - p);
        long key = CounterRng.key(seed), drop = CounterRng.belowThreshold(p);   // uniform(seed, offset + i) < p, in integers
        if (x.dtype() == DType.FLOAT32) {
            float[] a = f32(in), y = f32(out);
            float keep = (float) scale;
            Parallel.forRange(n, 1, (from, to) -> dropoutRange(a, from, y, from, to - from, key, offset + from, drop, keep));
        } else {
            double[] a = f64(in), y = f64(out);
            Parallel.forRange(n, 1, (from, to) -> {
                for (int i = from; i < to; i++) y[i] = (CounterRng.keyedBits(key, offset + i) >>> 40) < drop ? 0.0 : a[i] * scale;
            });
        }
        return out;
    }

    /** n elements of float32 dropout from a[ao..] into y[yo..], element i drawn at {@code counter + i}. */
    static void dropoutRange(float[] a, int ao, float[] y, int yo, int n, long key, long counter, long drop, float keep) {
        if (VectorLoopGates.DROPOUT) VectorLoops.dropout(a, ao, y, yo, n, key, counter, drop, keep);
        else ScalarLoops.dropout(a, ao, y, yo, n, key, counter, drop, keep);
    }

    /**
     * PReLU's backward in one pass over contiguous float32 g and x: dx split over the threads (vectorised), the slope's
     * gradient summed in index order on this thread, exactly as the composed kernels sum it. Null (not fused) for
     * anything else.
     */
    static PreluGrads preluBackward(Tensor g, Tensor x, double slope, boolean slopeGradient) {
        if (x.dtype() != DType.FLOAT32 || g.dtype() != DType.FLOAT32 || (float) slope != slope
                || !Arrays.equals(g.shape(), x.shape())) return null;
        Tensor gp = packed(g), xp = packed(x);
        Tensor dx = empty(DType.FLOAT32, x.shape());
        float[] ga = f32(gp), xa = f32(xp), d = f32(dx);
        float a = (float) slope;
        Parallel.forRange(x.numel(), 1, (from, to) -> {
            if (VectorLoopGates.LOOPS) VectorLoops.leakyInputGradient(ga, from, xa, from, d, from, to - from, a);
            else ScalarLoops.leakyInputGradient(ga, from, xa, from, d, from, to - from, a);
        });
        Tensor ds = null;
        if (slopeGradient) {
            ds = empty(DType.FLOAT32, new int[0]);
            f32(ds)[0] = (float) ScalarLoops.negativePartDot(ga, 0, xa, 0, x.numel());
        }
        return new PreluGrads(dx, ds);
    }

    // ------------------------------------------------------------------ the optimiser's updates (in place)

    static void adamWStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1, double beta2,
                          double eps, double weightDecay, long step) {
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

    static void scaleInPlace(Tensor dst, double factor) {
        StridedLoop.Row body;
        if (dst.dtype() == DType.FLOAT32) {
            float[] a = f32(dst);
            float f = (float) factor;
            body = (o, step, n) -> { for (int i = 0, k = o[0]; i < n; i++, k += step[0]) a[k] *= f; };
        } else {
            double[] a = f64(dst);
            body = (o, step, n) -> { for (int i = 0, k = o[0]; i < n; i++, k += step[0]) a[k] *= factor; };
        }
        StridedLoop.runParallel(new Tensor[] {dst}, body);
    }
}
