package trdetr.backend.cpu;

import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/** The host arrays behind CPU tensors, by type, and the fresh and packed tensors the kernels write and read. */
final class CpuTensors {
    private CpuTensors() {}

    static Object array(Tensor t) { return ((CpuStorage) t.storage()).array; }

    static float[] f32(Tensor t) { return (float[]) array(t); }

    static double[] f64(Tensor t) { return (double[]) array(t); }

    static long[] i64(Tensor t) { return (long[]) array(t); }

    static boolean[] bool(Tensor t) { return (boolean[]) array(t); }

    static Tensor empty(DType dtype, int[] shape) {
        return Tensor.wrap(CpuStorage.allocate(dtype, Shape.numel(shape)), shape);
    }

    /** t itself when it is contiguous from offset 0 over its whole storage, else a packed copy. */
    static Tensor packed(Tensor t) {
        if (t.isContiguous() && t.offset() == 0 && t.storage().size() == t.numel()) return t;
        return copied(t);
    }

    /** A fresh packed copy of t. */
    static Tensor copied(Tensor t) {
        Tensor out = empty(t.dtype(), t.shape());
        CpuElementwise.copy(out, t);
        return out;
    }
}
