package trdetr.ops;

import java.util.Arrays;
import trdetr.autograd.Autograd;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/**
 * Ops that re-describe the same storage (reshape, permute, slice, expand, squeeze) and the one that copies
 * a view into fresh contiguous memory. Views share storage with their base and are never written in place.
 */
public final class Views {
    private Views() {}

    private static Tensor view(Tensor t, int[] shape, int[] strides, int offset) {
        return new Tensor(t.storage(), shape, strides, offset);
    }

    public static Tensor contiguousCopy(Tensor t) {
        Tensor y = Tensor.zeros(t.backend(), t.dtype(), t.shape());
        t.backend().copy(y, t);
        if (!t.dtype().isFloating()) return y.named("contiguous");
        return Autograd.record("contiguous", y, (g, needs) -> new Tensor[] {g}, t);
    }

    public static Tensor reshape(Tensor t, int[] newShape) {
        int[] shape = inferShape(t, newShape);
        Tensor base = t.isContiguous() ? t : contiguousCopy(t);
        Tensor y = view(base, shape, Shape.contiguousStrides(shape), base.offset());
        int[] old = t.shape();
        return Autograd.record("reshape", y, (g, needs) -> new Tensor[] {g.reshape(old)}, base);
    }

    private static int[] inferShape(Tensor t, int[] newShape) {
        int[] shape = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: only one -1 allowed in " + Shape.str(newShape));
                infer = i;
            } else known *= shape[i];
        }
        if (infer >= 0 && known != 0) shape[infer] = t.numel() / known;
        if (Shape.numel(shape) != t.numel()) {
            throw new IllegalArgumentException("reshape: cannot view shape " + Shape.str(t.shape()) + " (" + t.numel()
                    + " elements) as " + Shape.str(newShape));
        }
        return shape;
    }

    public static Tensor permute(Tensor t, int[] order) {
        int r = t.rank();
        if (order.length != r) throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " does not match rank " + r);
        int[] shape = new int[r], strides = new int[r], inverse = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int a = Shape.axis("permute", order[i], r);
            if (seen[a]) throw new IllegalArgumentException("permute: repeated axis in " + Arrays.toString(order));
            seen[a] = true;
            shape[i] = t.size(a);
            strides[i] = t.stride(a);
            inverse[a] = i;
        }
        Tensor y = view(t, shape, strides, t.offset());
        return Autograd.record("permute", y, (g, needs) -> new Tensor[] {g.permute(inverse)}, t);
    }

    public static Tensor transpose(Tensor t, int a, int b) {
        int r = t.rank();
        int[] order = new int[r];
        for (int i = 0; i < r; i++) order[i] = i;
        int x = Shape.axis("transpose", a, r), y = Shape.axis("transpose", b, r);
        order[x] = y;
        order[y] = x;
        return permute(t, order);
    }

    public static Tensor slice(Tensor t, int axis, int start, int end) {
        int ax = Shape.axis("slice", axis, t.rank());
        int[] bounds = pythonSliceBounds(start, end, t.size(ax));
        int s = bounds[0], e = bounds[1];
        int[] shape = t.shape();
        shape[ax] = e - s;
        Tensor y = view(t, shape, t.strides(), t.offset() + s * t.stride(ax));
        int[] full = t.shape();
        int from = s;
        return Autograd.record("slice", y, (g, needs) -> new Tensor[] {Indexing.padInto(g, full, ax, from)}, t);
    }

    /** Python's seq[start:end] on a length-n sequence: negatives count from the end, then clamp; empty if start ≥ end. */
    public static int[] pythonSliceBounds(int start, int end, int n) {
        int s = Math.min(Math.max(start < 0 ? start + n : start, 0), n);
        int e = Math.min(Math.max(end < 0 ? end + n : end, 0), n);
        return new int[] {s, Math.max(s, e)};
    }

    public static Tensor select(Tensor t, int axis, int index) {
        int ax = Shape.axis("select", axis, t.rank());
        int n = t.size(ax);
        int i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException("select: index " + index + " out of range for axis " + axis + " of size " + n);
        return slice(t, ax, i, i + 1).squeeze(ax);
    }

    /** A stride-0 view of t at a broadcast shape, without history (for kernels). */
    public static Tensor broadcastView(Tensor t, int[] shape) {
        int[] ts = t.shape();
        if (Arrays.equals(ts, shape)) return t.detach();
        if (shape.length < ts.length) throw new IllegalArgumentException("expand: cannot expand " + Shape.str(ts) + " to fewer dimensions " + Shape.str(shape));
        int lead = shape.length - ts.length;
        int[] strides = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            int j = i - lead;
            if (j < 0) { strides[i] = 0; continue; }
            if (ts[j] == shape[i]) strides[i] = t.stride(j);
            else if (ts[j] == 1) strides[i] = 0;
            else throw new IllegalArgumentException("expand: cannot expand " + Shape.str(ts) + " to " + Shape.str(shape));
        }
        return view(t, shape.clone(), strides, t.offset());
    }

    public static Tensor expand(Tensor t, int[] shape) {
        if (Arrays.equals(t.shape(), shape)) return t;
        Tensor y = broadcastView(t, shape);
        int[] old = t.shape();
        return Autograd.record("expand", y, (g, needs) -> new Tensor[] {g.sumTo(old)}, t);
    }

    public static Tensor unsqueeze(Tensor t, int axis) {
        int r = t.rank();
        int ax = Shape.axis("unsqueeze", axis, r + 1);
        int[] shape = new int[r + 1], strides = new int[r + 1];
        for (int i = 0, j = 0; i <= r; i++) {
            if (i == ax) {
                shape[i] = 1;
                strides[i] = j < r ? t.stride(j) * t.size(j) : 1;
            } else {
                shape[i] = t.size(j);
                strides[i] = t.stride(j);
                j++;
            }
        }
        Tensor y = view(t, shape, strides, t.offset());
        int[] old = t.shape();
        return Autograd.record("unsqueeze", y, (g, needs) -> new Tensor[] {g.reshape(old)}, t);
    }

    public static Tensor squeeze(Tensor t, int axis) {
        int ax = Shape.axis("squeeze", axis, t.rank());
        if (t.size(ax) != 1) throw new IllegalArgumentException("squeeze: axis " + axis + " of shape " + Shape.str(t.shape()) + " has size " + t.size(ax) + ", not 1");
        int[] shape = new int[t.rank() - 1], strides = new int[t.rank() - 1];
        for (int i = 0, j = 0; i < t.rank(); i++) {
            if (i == ax) continue;
            shape[j] = t.size(i);
            strides[j++] = t.stride(i);
        }
        Tensor y = view(t, shape, strides, t.offset());
        int[] old = t.shape();
        return Autograd.record("squeeze", y, (g, needs) -> new Tensor[] {g.reshape(old)}, t);
    }
}
