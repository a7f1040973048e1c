package trdetr.opcheck;

import java.util.ArrayList;
import java.util.List;
import trdetr.backend.Backend;
import trdetr.backend.cpu.CpuBackend;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * Checks a device backend against the CPU backend on one {@link OpCase}: the same random inputs (never zeros) run
 * through the op on both, forward outputs and the gradients of L = Σ y ⊙ w compared by relative error
 * ‖device − cpu‖/‖cpu‖, in float32 and in float64. The device's fresh outputs are expected to be poisoned with NaN
 * by the caller, so an element a kernel forgot to write fails the check.
 *
 * <p>Tolerances: float32 {@link #TOL_FWD32} forward, {@link #TOL_GRAD32} gradients (the CPU's own float32 check
 * bounds, {@link GradCheck}); float64 {@link #TOL64} (both sides compute in double; only summation order differs).
 */
public final class DeviceCheck {
    public static final double TOL_FWD32 = GradCheck.TOL_FWD32;
    public static final double TOL_GRAD32 = GradCheck.TOL_GRAD32;
    public static final double TOL64 = 1e-10;

    /** The outcome of one case on one device. */
    public record Result(String name, double forward32, double grad32, double forward64, double grad64, String failure) implements CheckResult {
        @Override public String body() {
            return String.format("%-28s fwd32 %.1e  grad32 %.1e  fwd64 %.1e  grad64 %.1e", name, forward32, grad32, forward64, grad64);
        }
    }

    private DeviceCheck() {}

    public static Result check(OpCase c, long seed, Backend device) {
        try {
            double[] r32 = compare(c, seed, device, DType.FLOAT32);
            double[] r64 = compare(c, seed, device, DType.FLOAT64);
            String failure = null;
            if (!(r32[0] <= TOL_FWD32)) failure = "float32 forward differs from the CPU";
            else if (!(r32[1] <= TOL_GRAD32)) failure = "float32 gradient differs from the CPU";
            else if (!(r64[0] <= TOL64)) failure = "float64 forward differs from the CPU";
            else if (!(r64[1] <= TOL64)) failure = "float64 gradient differs from the CPU";
            return new Result(c.name(), r32[0], r32[1], r64[0], r64[1], failure);
        } catch (RuntimeException e) {
            return new Result(c.name(), Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** {forward error, worst gradient error} of the device against the CPU in one dtype. */
    private static double[] compare(OpCase c, long seed, Backend device, DType dtype) {
        Tensor[] base = c.inputs().apply(new Generator(seed));                 // float64 inputs on the CPU
        Tensor weights = null;
        Tensor[][] inputs = new Tensor[2][];
        Tensor[] outputs = new Tensor[2];
        Backend[] backends = {CpuBackend.INSTANCE, device};
        for (int side = 0; side < 2; side++) {
            Backend previous = Tensor.setDefaultBackend(backends[side]);       // tensors the op creates go there too
            try {
                Tensor[] x = new Tensor[base.length];
                for (int i = 0; i < base.length; i++) {
                    Tensor v = base[i].detach();
                    if (v.dtype().isFloating()) v = v.to(dtype);
                    x[i] = v.to(backends[side]).detach().requiresGrad(base[i].requiresGrad());
                }
                Tensor y = c.op().apply(x);
                if (weights == null) weights = Tensor.randn(new Generator(seed ^ 0x5eed), DType.FLOAT64, y.shape());
                Tensor w = weights.to(y.dtype().isFloating() ? y.dtype() : dtype).to(backends[side]);
                if (y.requiresGrad()) y.mul(w).sum().backward();
                inputs[side] = x;
                outputs[side] = y;
            } finally {
                Tensor.setDefaultBackend(previous);
            }
        }
        double fwd = GradCheck.relativeError(outputs[1].toDoubleArray(), outputs[0].toDoubleArray());
        double grad = 0;
        List<Integer> checked = new ArrayList<>();
        for (int i = 0; i < base.length; i++) if (base[i].requiresGrad()) checked.add(i);
        for (int i : checked) {
            Tensor gc = inputs[0][i].grad(), gd = inputs[1][i].grad();
            if (gc == null || gd == null) {
                if (gc != gd) throw new IllegalStateException("input " + i + " has a gradient on one device only");
                continue;
            }
            grad = Math.max(grad, GradCheck.relativeError(gd.toDoubleArray(), gc.toDoubleArray()));
        }
        return new double[] {fwd, grad};
    }
}
