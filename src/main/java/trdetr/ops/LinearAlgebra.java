package trdetr.ops;

import trdetr.autograd.Autograd;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/** Matrix products: matmul with either operand transposed, batched over leading axes, and linear layers. */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    /**
     * op(a)·op(b) over the last two axes, op = transpose when the flag is set. Leading (batch) axes must be equal,
     * or one operand may be 2-D and is then shared by every batch entry.
     */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        Elementwise.requireSameDevice("matmul", a, b);
        Elementwise.requireFloat("matmul", a);
        if (a.dtype() != b.dtype()) throw new IllegalArgumentException("matmul: dtypes differ (" + a.dtype() + ", " + b.dtype() + ")");
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("matmul: operands need at least 2 dimensions, got " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        }
        int ka = a.size(transA ? -2 : -1), kb = b.size(transB ? -1 : -2);
        if (ka != kb) throw new IllegalArgumentException("matmul: shapes " + Shape.str(a.shape()) + (transA ? "ᵀ" : "") + " and "
                + Shape.str(b.shape()) + (transB ? "ᵀ" : "") + " have different inner dimensions (" + ka + " vs " + kb + ")");
        if (a.rank() > 2 && b.rank() > 2 && !java.util.Arrays.equals(batch(a), batch(b))) {
            throw new IllegalArgumentException("matmul: batch shapes differ, " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        }
        // A shared 2-D right operand with an untransposed batched left one is one big 2-D product.
        if (a.rank() > 2 && b.rank() == 2 && !transA) {
            int[] as = a.shape();
            Tensor flat = matmul(a.reshape(-1, as[as.length - 1]), b, false, transB);
            int[] out = as.clone();
            out[out.length - 1] = flat.size(1);
            return flat.reshape(out);
        }
        // Transposed views of contiguous matrices are passed as flags, not copied.
        boolean ta = transA, tb = transB;
        Tensor pa = a, pb = b;
        if (!a.isContiguous() && isTransposedContiguous(a)) { pa = a.mT(); ta = !ta; }
        if (!b.isContiguous() && isTransposedContiguous(b)) { pb = b.mT(); tb = !tb; }
        Tensor y = a.backend().matmul(pa.contiguous().detach(), pb.contiguous().detach(), ta, tb);
        return Autograd.record("matmul", y, (g, needs) -> {
            // C = A'B' with A' = op(A), B' = op(B): dA' = g·B'ᵀ, dB' = A'ᵀ·g, transposed back where op transposed.
            Tensor ga = !needs[0] ? null : transA ? matmul(b, g, transB, true) : matmul(g, b, false, !transB);
            Tensor gb = !needs[1] ? null : transB ? matmul(g, a, true, transA) : matmul(a, g, !transA, false);
            return new Tensor[] {ga == null ? null : ga.sumTo(a.shape()), gb == null ? null : gb.sumTo(b.shape())};
        }, a, b);
    }

    private static int[] batch(Tensor t) { return java.util.Arrays.copyOf(t.shape(), t.rank() - 2); }

    /** Whether swapping the last two axes gives a contiguous tensor. */
    private static boolean isTransposedContiguous(Tensor t) {
        return t.numel() > 0 && t.mT().isContiguous();
    }

    /** x·Wᵀ + b with W stored (out, in) as in torch.nn.Linear; bias may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input of shape " + Shape.str(x.shape()) + " does not match weight of shape "
                    + Shape.str(weight.shape()) + " (in-features " + weight.size(1) + ")");
        }
        if (bias == null) return matmul(x, weight, false, true);
        boolean fusable = x.rank() >= 2 && weight.rank() == 2 && bias.rank() == 1 && bias.size(0) == weight.size(0)
                && x.dtype() == weight.dtype() && bias.dtype() == x.dtype() && (x.dtype() == DType.FLOAT32 || x.dtype() == DType.FLOAT64)
                && x.backend() == weight.backend() && x.backend() == bias.backend();
        if (!fusable) return matmul(x, weight, false, true).add(bias);
        // One node for the product and the bias, so the backend may add the bias as it stores the product (same
        // bits). Rows of a batched x are flattened, as matmul does; a transposed 2-D view goes as a flag, not a copy.
        int[] shape = x.shape().clone();
        int in = shape[shape.length - 1], out = weight.size(0), count = in == 0 ? 0 : x.numel() / in;
        Tensor rows = x.rank() == 2 ? x.detach() : x.detach().reshape(count, in);
        boolean transX = !rows.isContiguous() && isTransposedContiguous(rows);
        Tensor flat = x.backend().linear((transX ? rows.mT() : rows).contiguous(), transX, weight.detach().contiguous(),
                bias.detach().contiguous());
        shape[shape.length - 1] = out;
        Tensor y = x.rank() == 2 ? flat : flat.reshape(shape);
        return Autograd.record("linear", y, (g, needs) -> {
            // exactly the gradients of the reshapes, product and addition this replaces, computed the same way:
            // the bias's from the unflattened gradient (a sum over the same axes in the same order)
            Tensor g2 = g.rank() == 2 ? g : g.reshape(count, out);           // explicit sizes: a 0 would defeat -1
            Tensor x2 = x.rank() == 2 ? x : x.reshape(count, in);
            return new Tensor[] {
                needs[0] ? matmul(g2, weight, false, false).reshape(x.shape()) : null,
                needs[1] ? matmul(g2, x2, true, false) : null,
                needs[2] ? g.sumTo(bias.shape()) : null};
        }, x, weight, bias);
    }
}
