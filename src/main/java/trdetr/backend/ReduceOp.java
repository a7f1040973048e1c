package trdetr.backend;

/** Reductions over one axis. ARGMAX/ARGMIN give INT64 indices of the first extreme (as PyTorch). */
public enum ReduceOp { SUM, MAX, MIN, LOGSUMEXP, ARGMAX, ARGMIN }
