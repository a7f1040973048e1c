package trdetr.ops;

import java.util.ArrayList;
import java.util.List;
import trdetr.autograd.Autograd;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/** gather, scatter-add, index_select, embedding, concat, stack, split, cumsum and sort. */
public final class Indexing {
    private Indexing() {}

    private static void requireIndex(String op, Tensor index) {
        if (index.dtype() != DType.INT64) throw new IllegalArgumentException(op + ": index must be int64, got " + index.dtype() + " " + Shape.str(index.shape()));
    }

    /** torch.gather: out[..i..] = a[.. index[..i..] ..] along axis; index has a's rank. */
    public static Tensor gather(Tensor a, int axis, Tensor index) {
        requireIndex("gather", index);
        int ax = Shape.axis("gather", axis, a.rank());
        if (index.rank() != a.rank()) {
            throw new IllegalArgumentException("gather: index " + Shape.str(index.shape()) + " and input " + Shape.str(a.shape()) + " differ in rank");
        }
        for (int d = 0; d < a.rank(); d++) {
            if (d != ax && index.size(d) > a.size(d)) {
                throw new IllegalArgumentException("gather: index " + Shape.str(index.shape()) + " is larger than input " + Shape.str(a.shape()) + " on axis " + d);
            }
        }
        Tensor idx = index.contiguous();
        Tensor y = a.backend().gather(a, ax, idx);
        int[] shape = a.shape();
        return Autograd.record("gather", y, (g, needs) -> new Tensor[] {scatterAdd(shape, ax, idx, g)}, a);
    }

    /** zeros(shape).scatter_add(axis, index, src) (differentiable in src). */
    public static Tensor scatterAdd(int[] shape, int axis, Tensor index, Tensor src) {
        requireIndex("scatter_add", index);
        Elementwise.requireFloat("scatter_add", src);
        int ax = Shape.axis("scatter_add", axis, shape.length);
        if (!java.util.Arrays.equals(index.shape(), src.shape())) {
            throw new IllegalArgumentException("scatter_add: index " + Shape.str(index.shape()) + " and source " + Shape.str(src.shape()) + " differ in shape");
        }
        Tensor idx = index.contiguous();
        Tensor y = src.backend().scatterAdd(shape, ax, idx, src);
        return Autograd.record("scatter_add", y, (g, needs) -> new Tensor[] {null, gather(g, ax, idx)}, idx, src);
    }

    /** base + zeros.scatter_add(...): torch.Tensor.scatter_add with a base tensor. */
    public static Tensor scatterAdd(Tensor base, int axis, Tensor index, Tensor src) {
        return base.add(scatterAdd(base.shape(), axis, index, src));
    }

    /** torch.index_select along an axis with a 1-D index (an index broadcast along the other axes, then gather). */
    public static Tensor indexSelect(Tensor a, int axis, Tensor index) {
        requireIndex("index_select", index);
        if (index.rank() != 1) throw new IllegalArgumentException("index_select: index must be 1-D, got " + Shape.str(index.shape()));
        int ax = Shape.axis("index_select", axis, a.rank());
        int[] shape = a.shape();
        shape[ax] = index.size(0);
        int[] viewShape = new int[a.rank()];
        java.util.Arrays.fill(viewShape, 1);
        viewShape[ax] = index.size(0);
        Tensor idx = Views.broadcastView(index.reshape(viewShape), shape);
        return gather(a, ax, idx);
    }

    /** torch.nn.functional.embedding: rows of weight picked by an index tensor of any shape. */
    public static Tensor embedding(Tensor weight, Tensor index) {
        int[] shape = java.util.Arrays.copyOf(index.shape(), index.rank() + 1);
        shape[index.rank()] = weight.size(1);
        return indexSelect(weight, 0, index.reshape(index.numel())).reshape(shape);
    }

    /** A zero tensor of fullShape holding g at [start, start + g.size(axis)) along axis (the adjoint of slice). */
    static Tensor padInto(Tensor g, int[] fullShape, int axis, int start) {
        Tensor out = Tensor.zeros(g.backend(), g.dtype(), fullShape);
        Tensor window = Views.slice(out.detach(), axis, start, start + g.size(axis)).detach();
        g.backend().copy(window, g);
        return Autograd.record("pad", out, (gg, needs) -> new Tensor[] {gg.slice(axis, start, start + g.size(axis))}, g);
    }

    public static Tensor concat(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) throw new IllegalArgumentException("cat: no tensors given");
        Tensor first = parts.get(0);
        int ax = Shape.axis("cat", axis, first.rank());
        int[] shape = first.shape();
        int total = 0;
        for (Tensor p : parts) {
            int[] s = p.shape();
            boolean ok = s.length == shape.length && p.dtype() == first.dtype() && p.backend() == first.backend();
            for (int d = 0; ok && d < s.length; d++) ok = d == ax || s[d] == shape[d];
            if (!ok) throw new IllegalArgumentException("cat: shapes " + Shape.str(shape) + " and " + Shape.str(s) + " do not match except on axis " + axis);
            total += s[ax];
        }
        shape[ax] = total;
        Tensor out = Tensor.zeros(first.backend(), first.dtype(), shape);
        int[] starts = new int[parts.size()];
        int at = 0;
        for (int i = 0; i < parts.size(); i++) {
            Tensor p = parts.get(i);
            starts[i] = at;
            first.backend().copy(Views.slice(out.detach(), ax, at, at + p.size(ax)).detach(), p);
            at += p.size(ax);
        }
        if (!first.dtype().isFloating()) return out.named("cat");
        return Autograd.record("cat", out, (g, needs) -> {
            Tensor[] grads = new Tensor[parts.size()];
            for (int i = 0; i < grads.length; i++) {
                if (needs[i]) grads[i] = g.slice(ax, starts[i], starts[i] + parts.get(i).size(ax));
            }
            return grads;
        }, parts.toArray(new Tensor[0]));
    }

    public static Tensor stack(List<Tensor> parts, int axis) {
        List<Tensor> expanded = new ArrayList<>();
        int ax = parts.isEmpty() ? 0 : Shape.axis("stack", axis, parts.get(0).rank() + 1);
        for (Tensor p : parts) expanded.add(p.unsqueeze(ax));
        return concat(expanded, ax);
    }

    /** Pieces of the given sizes along an axis (views). */
    public static List<Tensor> split(Tensor t, int axis, int... sizes) {
        int ax = Shape.axis("split", axis, t.rank());
        int sum = 0;
        for (int s : sizes) sum += s;
        if (sum != t.size(ax)) throw new IllegalArgumentException("split: sizes add up to " + sum + " but axis " + axis + " of " + Shape.str(t.shape()) + " has " + t.size(ax));
        List<Tensor> out = new ArrayList<>();
        int at = 0;
        for (int s : sizes) {
            out.add(t.slice(ax, at, at + s));
            at += s;
        }
        return out;
    }

    public static Tensor cumsum(Tensor a, int axis) { return cumsum(a, axis, false); }

    private static Tensor cumsum(Tensor a, int axis, boolean reverse) {
        Elementwise.requireFloat("cumsum", a);
        int ax = Shape.axis("cumsum", axis, a.rank());
        Tensor y = a.backend().cumsum(a, ax, reverse);
        return Autograd.record("cumsum", y, (g, needs) -> new Tensor[] {cumsum(g, ax, !reverse)}, a);
    }

    /** Stable sort along an axis: {values (differentiable), INT64 indices}. */
    public static Tensor[] sort(Tensor a, int axis, boolean descending) {
        int ax = Shape.axis("sort", axis, a.rank());
        int last = a.rank() - 1;
        Tensor moved = ax == last ? a : a.transpose(ax, last);
        Tensor idx = a.backend().argsort(moved, descending);
        if (ax != last) idx = idx.transpose(ax, last).contiguous();
        Tensor values = a.dtype().isFloating() ? gather(a, ax, idx) : a.backend().gather(a, ax, idx);
        return new Tensor[] {values, idx.named("sort")};
    }
}
