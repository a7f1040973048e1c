package trdetr.backend;

/**
 * Element-wise maps of one tensor. Two scalar parameters p0, p1 serve the parametrised ones
 * (AFFINE: p0·x + p1; POW: x^p0; CLAMP: min(max(x, p0), p1); LEAKY: x if x &gt; 0 else p0·x;
 * LEAKY_SLOPE: 1 if x &gt; 0 else p0, the derivative of LEAKY; NEG_PART: min(x, 0), its derivative in p0).
 */
public enum UnaryOp {
    NEG, EXP, LOG, LOG1P, SQRT, TANH, SIGMOID, RELU, ABS, SIGN, SIN, COS, AFFINE, POW, CLAMP, LEAKY, LEAKY_SLOPE, NEG_PART;

    /** The scalar definition every backend must reproduce (the CPU backend evaluates exactly this). */
    public double apply(double x, double p0, double p1) {
        switch (this) {
            case NEG: return -x;
            case EXP: return Math.exp(x);
            case LOG: return Math.log(x);
            case LOG1P: return Math.log1p(x);
            case SQRT: return Math.sqrt(x);
            case TANH: return Math.tanh(x);
            case SIGMOID: return sigmoid(x);
            case RELU: return relu(x);
            case ABS: return Math.abs(x);
            case SIGN: return x > 0 ? 1.0 : x < 0 ? -1.0 : x == 0 ? 0.0 : Double.NaN;
            case SIN: return Math.sin(x);
            case COS: return Math.cos(x);
            case AFFINE: return affine(x, p0, p1);
            case POW: return Math.pow(x, p0);
            case CLAMP: return Double.isNaN(x) ? x : Math.min(Math.max(x, p0), p1);
            case LEAKY: return leaky(x, p0);
            case LEAKY_SLOPE: return x > 0 ? 1.0 : p0;
            case NEG_PART: return Math.min(x, 0.0);           // x > 0 ? 0 : x, −0 and NaN included, without a branch
            default: throw new AssertionError(this);
        }
    }

    // The formulas of the hot ops, shared by apply and the CPU backend's dedicated loops (one definition each).

    public static double sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x)); }

    /**
     * max(x, 0) as torch.relu: NaN stays NaN (a test {@code x > 0} would turn it into 0 and hide a bad input), −0 gives
     * +0. Math.max has exactly these values and no branch (a branch on activations of random sign mispredicts half
     * the time).
     */
    public static double relu(double x) { return Math.max(x, 0.0); }

    public static double affine(double x, double scale, double shift) { return scale * x + shift; }

    public static double leaky(double x, double slope) { return x > 0 ? x : slope * x; }
}
