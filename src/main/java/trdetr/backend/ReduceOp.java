package trdetr.backend;

/** Reductions over one axis. ARGMAX/ARGMIN give INT64 indices of the first extreme (as PyTorch). */
public enum ReduceOp {
    SUM, MAX, MIN, LOGSUMEXP, ARGMAX, ARGMIN;

    /** Whether the result is an INT64 index rather than a value. */
    public boolean isArg() { return this == ARGMAX || this == ARGMIN; }
}
