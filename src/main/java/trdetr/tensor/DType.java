package trdetr.tensor;

/** Element types. FLOAT32 is what the model runs in; FLOAT64 is the reference path for gradient checks. */
public enum DType {
    FLOAT32("float32"),
    FLOAT64("float64"),
    /** Indices (gather, index_select, labels). */
    INT64("int64"),
    /** Masks and comparison results. */
    BOOL("bool");

    private final String label;

    DType(String label) { this.label = label; }

    public boolean isFloating() { return this == FLOAT32 || this == FLOAT64; }

    /** The dtype of a host array: float[], double[], long[] or boolean[] (how backends take data from the host). */
    public static DType ofHostArray(Object array) {
        if (array instanceof float[]) return FLOAT32;
        if (array instanceof double[]) return FLOAT64;
        if (array instanceof long[]) return INT64;
        if (array instanceof boolean[]) return BOOL;
        throw new IllegalArgumentException("unsupported host array type " + (array == null ? "null" : array.getClass().getSimpleName()));
    }

    @Override public String toString() { return label; }
}
