package trdetr.io;

import java.util.Arrays;
import java.util.Set;
import trdetr.autograd.GradMode;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Tensor;

/**
 * A host array as it comes out of a file: the file's dtype name, a C-order shape, and the elements widened to one of
 * four Java array types.
 *
 * @param dtype one of "float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"
 * @param shape the dimensions; empty for a 0-d array (one element)
 * @param data  float[] for float16 (converted exactly) and float32, double[] for float64, long[] for every integer
 *              dtype, boolean[] for bool; numel(shape) elements in C order
 */
public record NdArray(String dtype, int[] shape, Object data) {
    /** The dtype names an NdArray can have. */
    public static final Set<String> DTYPES = Set.of("float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool");

    public NdArray {
        if (!DTYPES.contains(dtype)) throw new IllegalArgumentException("NdArray: unknown dtype '" + dtype + "'");
        int n = Shape.numel(shape);
        Class<?> expected = switch (dtype) {
            case "float16", "float32" -> float[].class;
            case "float64" -> double[].class;
            case "bool" -> boolean[].class;
            default -> long[].class;
        };
        if (data == null || data.getClass() != expected) {
            throw new IllegalArgumentException("NdArray: dtype " + dtype + " needs a " + expected.getSimpleName() + ", got "
                    + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        int len = java.lang.reflect.Array.getLength(data);
        if (len != n) throw new IllegalArgumentException("NdArray: shape " + Shape.str(shape) + " needs " + n + " elements, data has " + len);
    }

    public int numel() { return java.lang.reflect.Array.getLength(data); }

    /**
     * A CPU tensor over these elements (float16/float32 → FLOAT32, float64 → FLOAT64, integers → INT64,
     * bool → BOOL). The tensor may share the data array.
     */
    public Tensor toTensor() {
        return Tensor.fromHost(Tensor.defaultBackend(), data, shape.clone());
    }

    /** The DType {@link #toTensor()} gives. */
    public DType tensorDType() {
        return switch (dtype) {
            case "float16", "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            case "bool" -> DType.BOOL;
            default -> DType.INT64;
        };
    }

    /** A host copy of a tensor (FLOAT32 → "float32", FLOAT64 → "float64", INT64 → "int64", BOOL → "bool"). */
    @SuppressWarnings("try")
    public static NdArray of(Tensor t) {
        try (var g = GradMode.noGrad()) {
            return switch (t.dtype()) {
                case FLOAT32 -> new NdArray("float32", t.shape(), t.toFloatArray());
                case FLOAT64 -> new NdArray("float64", t.shape(), t.toDoubleArray());
                case INT64 -> new NdArray("int64", t.shape(), t.toLongArray());
                case BOOL -> new NdArray("bool", t.shape(), t.toBoolArray());
            };
        }
    }

    /** The text held by a uint8 (or int8) array of UTF-8 bytes, as np.frombuffer(s.encode(), np.uint8) stores it. */
    public String utf8() {
        if (!dtype.equals("uint8") && !dtype.equals("int8")) {
            throw new IllegalStateException("utf8: a " + dtype + " array does not hold text (expected uint8)");
        }
        long[] v = (long[]) data;
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return Utf8.decode(b, 0, b.length);                       // strict: a corrupt byte is an error, not U+FFFD
    }

    @Override public boolean equals(Object o) {
        if (!(o instanceof NdArray a)) return false;
        return dtype.equals(a.dtype) && Arrays.equals(shape, a.shape) && Arrays.deepEquals(new Object[] {data}, new Object[] {a.data});
    }

    @Override public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.deepHashCode(new Object[] {data});
    }

    @Override public String toString() {
        return "NdArray(" + dtype + " " + Shape.str(shape) + ")";
    }
}
