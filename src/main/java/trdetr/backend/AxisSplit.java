package trdetr.backend;

/**
 * A packed tensor seen as (outer, n, inner) around one axis, the way reductions and scans walk it: element
 * (o, j, i) is at (o·n + j)·inner + i. {@code reducedShape} is the shape without that axis.
 */
public record AxisSplit(int outer, int n, int inner, int[] reducedShape) {

    public static AxisSplit of(int[] shape, int axis) {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        int[] reduced = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) reduced[j++] = shape[i];
        return new AxisSplit(outer, shape[axis], inner, reduced);
    }
}
