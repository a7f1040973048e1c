package trdetr.backend.cpu;

import trdetr.backend.Backend;
import trdetr.tensor.DType;
import trdetr.tensor.Storage;

/** A host array: float[] for FLOAT32, double[] for FLOAT64, long[] for INT64, boolean[] for BOOL. */
final class CpuStorage implements Storage {
    final Object array;
    private final DType dtype;
    private final int size;

    CpuStorage(Object array) {
        this.dtype = DType.ofHostArray(array);
        this.array = array;
        this.size = java.lang.reflect.Array.getLength(array);
    }

    static CpuStorage allocate(DType dtype, int size) {
        switch (dtype) {
            case FLOAT32: return new CpuStorage(new float[size]);
            case FLOAT64: return new CpuStorage(new double[size]);
            case INT64: return new CpuStorage(new long[size]);
            case BOOL: return new CpuStorage(new boolean[size]);
            default: throw new AssertionError(dtype);
        }
    }

    @Override public Backend backend() { return CpuBackend.INSTANCE; }

    @Override public DType dtype() { return dtype; }

    @Override public int size() { return size; }
}
