package trdetr.ops;

import trdetr.autograd.Autograd;
import trdetr.backend.ReduceOp;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/** sum, mean, max, min, argmax, argmin and logsumexp over an axis, and the broadcast adjoint sumTo. */
public final class Reductions {
    private Reductions() {}

    public static Tensor reduce(ReduceOp op, Tensor t, int axis, boolean keepDim) {
        String name = op.name().toLowerCase();
        int ax = Shape.axis(name, axis, t.rank());
        Tensor y = t.backend().reduce(op, t, ax);
        Tensor kept = y.unsqueeze(ax); // the reduced axis as size 1, to broadcast back against t
        Tensor result = keepDim ? kept : y;
        if (op.isArg()) return result.named(name);
        Elementwise.requireFloat(name, t);
        Tensor out = keepDim ? Tensor.wrap(kept.storage(), kept.shape()) : y;
        return Autograd.record(name, out, (g, needs) -> {
            Tensor gk = keepDim ? g : g.unsqueeze(ax);
            switch (op) {
                case SUM: return new Tensor[] {gk.expand(t.shape())};
                case LOGSUMEXP: return new Tensor[] {gk.mul(t.sub(kept).exp())};
                default: { // MAX / MIN: the first extreme element takes the whole gradient, as torch.max(dim)
                    Tensor idx = t.backend().reduce(op == ReduceOp.MAX ? ReduceOp.ARGMAX : ReduceOp.ARGMIN, t, ax).unsqueeze(ax);
                    return new Tensor[] {Indexing.scatterAdd(t.shape(), ax, idx, gk)};
                }
            }
        }, t);
    }

    public static Tensor sumAll(Tensor t) { return reduce(ReduceOp.SUM, t.reshape(t.numel()), 0, false); }

    public static Tensor meanAll(Tensor t) { return sumAll(t).div(t.numel()); }

    public static Tensor mean(Tensor t, int axis, boolean keepDim) {
        return reduce(ReduceOp.SUM, t, axis, keepDim).div(t.size(axis));
    }

    /** Sums leading and size-1 axes so that the result has targetShape (the adjoint of broadcasting). */
    public static Tensor sumTo(Tensor t, int[] targetShape) {
        int[] shape = t.shape();
        if (java.util.Arrays.equals(shape, targetShape)) return t;
        Tensor out = t;
        int lead = shape.length - targetShape.length;
        for (int i = 0; i < lead; i++) out = reduce(ReduceOp.SUM, out, 0, false);
        for (int i = 0; i < targetShape.length; i++) {
            if (targetShape[i] == 1 && out.size(i) != 1) out = reduce(ReduceOp.SUM, out, i, true);
        }
        if (!java.util.Arrays.equals(out.shape(), targetShape)) {
            throw new IllegalArgumentException("sum_to: cannot reduce " + Shape.str(shape) + " to " + Shape.str(targetShape));
        }
        return out;
    }

    static boolean isIndex(Tensor t) { return t.dtype() == DType.INT64; }
}
