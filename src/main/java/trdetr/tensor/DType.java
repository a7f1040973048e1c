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

    @Override public String toString() { return label; }
}
