package trdetr.backend;

import trdetr.tensor.Shape;

/**
 * A packed tensor seen as (outer, n, inner) around one axis, the way reductions and scans walk it: element
 * (o, j, i) is at (o·n + j)·inner + i. {@code reducedShape} is the shape without that axis.
 */
public record AxisSplit(int outer, int n, int inner, int[] reducedShape) {

    /** The split for reducing axis by op; only a sum may reduce an empty axis (to zeros). */
    public static AxisSplit forReduction(ReduceOp op, int[] shape, int axis) {
        if (shape[axis] == 0 && op != ReduceOp.SUM) {
            throw new IllegalArgumentException(op.name().toLowerCase() + ": cannot reduce an empty axis of shape " + Shape.str(shape));
        }
        return of(shape, axis);
    }

    public static AxisSplit of(int[] shape, int axis) {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        int[] reduced = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) reduced[j++] = shape[i];
        return new AxisSplit(outer, shape[axis], inner, reduced);
    }
}
