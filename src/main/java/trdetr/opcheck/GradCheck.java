package trdetr.opcheck;

import java.util.ArrayList;
import java.util.List;
import trdetr.autograd.GradMode;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * Checks an op's analytic gradient against central differences in float64, and its float32 run against the float64
 * one. The scalar checked is L = Σ y ⊙ w with a fixed random w, so every output element takes part.
 *
 * <p>Tolerances (relative error ‖a − b‖/‖b‖): float64 gradient 1e-6 (central differences with step 1e-6 have
 * truncation error ~1e-12 and rounding error ~1e-10 relative); float32 forward 1e-5 and float32 gradients 1e-4
 * (float32 rounding, ~6e-8 per operation, accumulated over a few dozen chained operations).
 */
public final class GradCheck {
    public static final double STEP = 1e-6;
    public static final double TOL_GRAD64 = 1e-6;
    public static final double TOL_FWD32 = 1e-5;
    public static final double TOL_GRAD32 = 1e-4;

    /** The outcome of one case. */
    public record Result(String name, double gradError, double forward32Error, double grad32Error, String failure) implements CheckResult {
        @Override public String body() {
            return String.format("%-28s grad64 %.1e  fwd32 %.1e  grad32 %.1e", name, gradError, forward32Error, grad32Error);
        }
    }

    public static Result check(OpCase c, long seed) {
        try {
            return run(c, seed);
        } catch (RuntimeException e) {
            return new Result(c.name(), Double.NaN, Double.NaN, Double.NaN, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Result run(OpCase c, long seed) {
        Tensor[] x64 = c.inputs().apply(new Generator(seed));
        Tensor y64 = c.op().apply(x64);
        Tensor weights = Tensor.randn(new Generator(seed ^ 0x5eed), DType.FLOAT64, y64.shape());
        List<Integer> checked = new ArrayList<>();
        for (int i = 0; i < x64.length; i++) if (x64[i].requiresGrad()) checked.add(i);
        if (checked.isEmpty()) throw new IllegalStateException("case marks no input for differentiation");

        y64.mul(weights).sum().backward();
        double worstGrad = 0;
        double numericNorm = 0;
        for (int i : checked) {
            double[] analytic = x64[i].grad().toDoubleArray();
            double[] numeric = numericGradient(c, x64, i, weights);
            worstGrad = Math.max(worstGrad, relativeError(analytic, numeric));
            for (double v : numeric) numericNorm += v * v;
        }
        // A case whose true gradient is zero everywhere would pass whatever backward returned: refuse it.
        if (numericNorm == 0) throw new IllegalStateException("degenerate case: the numeric gradient is zero everywhere");

        // The same op in float32, against the float64 run.
        Tensor[] x32 = new Tensor[x64.length];
        for (int i = 0; i < x64.length; i++) {
            Tensor v = x64[i].detach();
            x32[i] = v.dtype() == DType.FLOAT64 ? v.to(DType.FLOAT32).detach().requiresGrad(x64[i].requiresGrad()) : v;
        }
        Tensor y32 = c.op().apply(x32);
        double fwd = relativeError(y32.toDoubleArray(), y64.toDoubleArray());
        y32.mul(weights.to(DType.FLOAT32)).sum().backward();
        double worst32 = 0;
        for (int i : checked) worst32 = Math.max(worst32, relativeError(x32[i].grad().toDoubleArray(), x64[i].grad().toDoubleArray()));

        String failure = null;
        if (!(worstGrad <= TOL_GRAD64)) failure = "float64 gradient differs from central differences";
        else if (!(fwd <= TOL_FWD32)) failure = "float32 forward differs from float64";
        else if (!(worst32 <= TOL_GRAD32)) failure = "float32 gradient differs from float64";
        return new Result(c.name(), worstGrad, fwd, worst32, failure);
    }

    private static double[] numericGradient(OpCase c, Tensor[] inputs, int which, Tensor weights) {
        double[] base = inputs[which].toDoubleArray();
        int[] shape = inputs[which].shape();
        double[] grad = new double[base.length];
        Tensor[] probe = inputs.clone();
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (int j = 0; j < base.length; j++) {
                double keep = base[j];
                base[j] = keep + STEP;
                probe[which] = Tensor.of(base, shape);
                double up = c.op().apply(probe).mul(weights).sum().item();
                base[j] = keep - STEP;
                probe[which] = Tensor.of(base, shape);
                double down = c.op().apply(probe).mul(weights).sum().item();
                base[j] = keep;
                grad[j] = (up - down) / (2 * STEP);
            }
        }
        return grad;
    }

    /** ‖a − b‖ / ‖b‖ (the absolute difference when b is zero). */
    public static double relativeError(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("relative error: lengths " + a.length + " and " + b.length);
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            num += d * d;
            den += b[i] * b[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }
}
