package trdetr.backend;

/** Element-wise maps of two tensors of one shape (broadcasting is resolved before a backend sees them). */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM,
    /** Comparisons give BOOL tensors. */
    EQ, NE, LT, LE, GT, GE,
    /** Logical ops on BOOL tensors. */
    AND, OR;

    public boolean isComparison() { return ordinal() >= EQ.ordinal() && ordinal() <= GE.ordinal(); }

    public boolean isLogical() { return this == AND || this == OR; }

    /** Arithmetic definition (NaN propagates through MAXIMUM/MINIMUM as in PyTorch). */
    public double apply(double a, double b) {
        switch (this) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case MAXIMUM: return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MINIMUM: return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            default: throw new AssertionError(this + " is not arithmetic");
        }
    }

    /** Comparison definition. */
    public boolean test(double a, double b) {
        switch (this) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            case GE: return a >= b;
            default: throw new AssertionError(this + " is not a comparison");
        }
    }
}
