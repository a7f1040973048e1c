package trdetr.ops;

import java.util.Arrays;
import trdetr.autograd.Autograd;
import trdetr.backend.Backend;
import trdetr.backend.BinaryOp;
import trdetr.backend.UnaryOp;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/** Element-wise ops with broadcasting, and their gradients. */
public final class Elementwise {
    private Elementwise() {}

    static void requireFloat(String op, Tensor t) {
        if (!t.dtype().isFloating()) throw new IllegalArgumentException(op + ": needs a float tensor, got " + t.dtype() + " " + Shape.str(t.shape()));
    }

    static void requireSameDevice(String op, Tensor a, Tensor b) {
        if (a.backend() != b.backend()) {
            throw new IllegalArgumentException(op + ": tensors are on different devices (" + a.backend().name() + ", " + b.backend().name() + ")");
        }
    }

    /** Brings b to a's float dtype when b is a 0-d constant (Python-scalar semantics); otherwise dtypes must match. */
    static Tensor matchDtype(String op, Tensor a, Tensor b) {
        if (a.dtype() == b.dtype()) return b;
        if (b.rank() == 0 && !b.requiresGrad()) return b.to(a.dtype());
        throw new IllegalArgumentException(op + ": dtypes differ (" + a.dtype() + " " + Shape.str(a.shape()) + " and "
                + b.dtype() + " " + Shape.str(b.shape()) + ")");
    }

    public static Tensor unary(UnaryOp op, Tensor a) { return unary(op, a, 0, 0); }

    static Tensor unary(UnaryOp op, Tensor a, double p0, double p1) {
        String name = op.name().toLowerCase();
        requireFloat(name, a);
        Tensor y = a.backend().unary(op, a, p0, p1);
        if (op == UnaryOp.SIGN || op == UnaryOp.LEAKY_SLOPE) return y.named(name); // piecewise constant: no gradient
        Tensor branch = op == UnaryOp.RELU || op == UnaryOp.LEAKY ? KinkDecisions.decide(name, a) : null;
        if (branch != null) {                                               // verification: an imposed kink decision
            return Autograd.record(name, y, (g, needs) -> new Tensor[] {g.mul(op == UnaryOp.RELU ? branch : leakySlope(branch, p0))}, a);
        }
        return Autograd.record(name, y, (g, needs) -> new Tensor[] {unaryGrad(op, a, y, g, p0, p1)}, a);
    }

    /** d(op)/dx · g, written with ops so any backend runs it. */
    private static Tensor unaryGrad(UnaryOp op, Tensor x, Tensor y, Tensor g, double p0, double p1) {
        switch (op) {
            case NEG: return g.neg();
            case EXP: return g.mul(y);
            case LOG: return g.div(x);
            case LOG1P: return g.div(x.add(1.0));
            case SQRT: return g.div(y.mul(2.0));
            case TANH: return g.mul(y.mul(y).rsub(1.0));
            case SIGMOID: return g.mul(y.mul(y.rsub(1.0)));
            case RELU: return g.mul(y.le(0.0).to(g.dtype()).rsub(1.0));   // 1 − (y <= 0), as torch: a NaN passes the gradient
            case ABS: return g.mul(x.sign());
            case SIN: return g.mul(x.cos());
            case COS: return g.mul(x.sin().neg());
            case AFFINE: return g.mul(p0);
            case POW: return p0 == 0 ? g.mul(0.0) : g.mul(x.pow(p0 - 1).mul(p0));
            case CLAMP: return g.mul(x.ge(p0).and(x.le(p1)).to(g.dtype())); // PyTorch passes the gradient at the bounds
            case LEAKY: return g.mul(unary(UnaryOp.LEAKY_SLOPE, x, p0, 0));
            case NEG_PART: return g.mul(unary(UnaryOp.LEAKY_SLOPE, x, 0, 0).rsub(1.0));
            default: throw new AssertionError(op);
        }
    }

    public static Tensor affine(Tensor a, double scale, double shift) { return unary(UnaryOp.AFFINE, a, scale, shift); }

    public static Tensor pow(Tensor a, double exponent) { return unary(UnaryOp.POW, a, exponent, 0); }

    public static Tensor clamp(Tensor a, double lo, double hi) {
        if (lo > hi) throw new IllegalArgumentException("clamp: min " + lo + " is greater than max " + hi);
        return unary(UnaryOp.CLAMP, a, lo, hi);
    }

    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase();
        requireSameDevice(name, a, b);
        requireFloat(name, a);
        b = matchDtype(name, a, b);
        int[] shape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor y = a.backend().binary(op, Views.broadcastView(a, shape), Views.broadcastView(b, shape));
        final Tensor bb = b;
        return Autograd.record(name, y, (g, needs) -> {
            Tensor ga = null, gb = null;
            switch (op) {
                case ADD: ga = g; gb = g; break;
                case SUB: ga = g; gb = needs[1] ? g.neg() : null; break;
                case MUL: ga = needs[0] ? g.mul(bb) : null; gb = needs[1] ? g.mul(a) : null; break;
                case DIV: ga = needs[0] ? g.div(bb) : null; gb = needs[1] ? g.mul(a).div(bb.mul(bb)).neg() : null; break;
                case MAXIMUM: case MINIMUM: {
                    // PyTorch: the larger (smaller) input takes the gradient; ties split it evenly.
                    Tensor aWins = op == BinaryOp.MAXIMUM ? a.gt(bb) : a.lt(bb);
                    Tensor tie = a.eq(bb);
                    Tensor half = g.mul(0.5);
                    Tensor zero = Tensor.zerosLike(g);
                    ga = g.where(aWins, half.where(tie, zero));
                    gb = zero.where(aWins, half.where(tie, g));
                    break;
                }
                default: throw new AssertionError(op);
            }
            return new Tensor[] {ga == null ? null : ga.sumTo(a.shape()), gb == null ? null : gb.sumTo(bb.shape())};
        }, a, b);
    }

    /** Comparisons and logical ops: BOOL results, no gradient. */
    public static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase();
        requireSameDevice(name, a, b);
        if (op.isLogical()) {
            if (a.dtype() != DType.BOOL || b.dtype() != DType.BOOL) throw new IllegalArgumentException(name + ": needs bool tensors, got " + a.dtype() + " and " + b.dtype());
        } else if (a.dtype() != b.dtype()) {
            if (b.rank() == 0) b = b.to(a.dtype());
            else if (a.rank() == 0) a = a.to(b.dtype());
            else b = matchDtype(name, a, b);
        }
        int[] shape = Shape.broadcast(name, a.shape(), b.shape());
        return a.backend().binary(op, Views.broadcastView(a, shape), Views.broadcastView(b, shape)).named(name);
    }

    public static Tensor not(Tensor a) {
        if (a.dtype() != DType.BOOL) throw new IllegalArgumentException("not: needs a bool tensor, got " + a.dtype());
        Tensor f = Tensor.scalar(a.backend(), DType.BOOL, 0);
        return a.backend().binary(BinaryOp.EQ, a, Views.broadcastView(f, a.shape())).named("not");
    }

    /** cond ? a : b with broadcasting of all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL) throw new IllegalArgumentException("where: condition must be bool, got " + cond.dtype() + " " + Shape.str(cond.shape()));
        requireSameDevice("where", a, b);
        requireSameDevice("where", cond, a);
        if (a.dtype() != b.dtype()) {
            if (a.rank() == 0 && !a.requiresGrad()) a = a.to(b.dtype());
            else b = matchDtype("where", a, b);
        }
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        Tensor c = Views.broadcastView(cond, shape);
        Tensor y = a.backend().where(c, Views.broadcastView(a, shape), Views.broadcastView(b, shape));
        final Tensor aa = a, bb = b;
        return Autograd.record("where", y, (g, needs) -> {
            Tensor zero = Tensor.zerosLike(g);
            return new Tensor[] {null,
                    needs[1] ? g.where(c, zero).sumTo(aa.shape()) : null,
                    needs[2] ? zero.where(c, g).sumTo(bb.shape()) : null};
        }, cond, a, b);
    }

    /**
     * PReLU: x if x &gt; 0 else slope·x (x = 0 takes the slope branch, as torch.nn.PReLU's gradient does). A one-element
     * slope (TR-DETR's case) runs as one element-wise pass each way; other slopes broadcast against x.
     */
    public static Tensor prelu(Tensor x, Tensor slope) {
        if (slope.numel() != 1) return x.where(x.gt(0.0), x.mul(slope));
        requireFloat("prelu", x);
        double a = slope.item();
        Tensor y = x.backend().unary(UnaryOp.LEAKY, x, a, 0);
        Tensor branch = KinkDecisions.decide("prelu", x);
        if (branch != null) {                                               // verification: an imposed kink decision
            return Autograd.record("prelu", y, (g, needs) -> new Tensor[] {
                    needs[0] ? g.mul(leakySlope(branch, a)) : null,
                    needs[1] ? g.mul(x.mul(branch.rsub(1.0))).sum().reshape(slope.shape()) : null}, x, slope);
        }
        return Autograd.record("prelu", y, (g, needs) -> {
            Backend.PreluGrads fused = g.backend().preluBackward(g, x, a, needs[1]);
            if (fused != null) return new Tensor[] {needs[0] ? fused.dx() : null, needs[1] ? fused.dslope().reshape(slope.shape()) : null};
            return new Tensor[] {
                    needs[0] ? g.mul(unary(UnaryOp.LEAKY_SLOPE, x, a, 0)) : null,
                    needs[1] ? g.mul(unary(UnaryOp.NEG_PART, x, 0, 0)).sum().reshape(slope.shape()) : null};
        }, x, slope);
    }

    /** The derivative of a leaky unit from its branch mask m (1 = positive branch): m + (1 − m)·slope. */
    private static Tensor leakySlope(Tensor branch, double slope) { return branch.mul(1 - slope).add(slope); }

    /** A dtype conversion; differentiable between float types (the gradient is converted back). */
    public static Tensor cast(Tensor a, DType dtype) {
        if (a.dtype() == dtype) return a;
        Tensor y = Tensor.zeros(a.backend(), dtype, a.shape());
        a.backend().copy(y, a);
        if (!dtype.isFloating()) return y.named("to(" + dtype + ")");
        DType from = a.dtype();
        return Autograd.record("to(" + dtype + ")", y, (g, needs) -> new Tensor[] {g.to(from)}, a);
    }

    /** A copy on another backend (differentiable: the gradient travels back). */
    public static Tensor toBackend(Tensor a, Backend target) {
        if (a.backend() == target) return a;
        Tensor y = Tensor.fromHost(target, a.backend().download(a), a.shape());
        Backend from = a.backend();
        return Autograd.record("to(" + target.name() + ")", y, (g, needs) -> new Tensor[] {g.to(from)}, a);
    }

    /**
     * Overwrites dst in place with src's values, converted to dst's dtype (no autograd history). src may live on
     * another backend: it is then brought over first (a download and an upload) — the one place where a copy crosses
     * devices, used to load weights and optimizer state into parameters wherever they live.
     */
    public static void assign(Tensor dst, Tensor src) {
        if (!sameShape(dst, src)) {
            throw new IllegalArgumentException("assign: shapes " + Shape.str(dst.shape()) + " and " + Shape.str(src.shape()) + " differ");
        }
        Backend target = dst.backend();
        Tensor from = src.backend() == target ? src : Tensor.fromHost(target, src.backend().download(src), src.shape());
        target.copy(dst, from);
    }

    static boolean sameShape(Tensor a, Tensor b) { return Arrays.equals(a.shape(), b.shape()); }
}
