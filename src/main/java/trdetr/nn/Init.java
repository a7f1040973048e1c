package trdetr.nn;

import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** PyTorch's default initialisers, drawn from our seeded generator (the values differ from torch's stream). */
public final class Init {
    private Init() {}

    public static Tensor uniform(Generator gen, DType dtype, double bound, int... shape) {
        return Tensor.uniform(gen, dtype, -bound, bound, shape);
    }

    /** torch.nn.Linear / Conv1d default: U(−1/√fan_in, 1/√fan_in) for weight and bias. */
    public static Tensor fanInUniform(Generator gen, DType dtype, int fanIn, int... shape) {
        return uniform(gen, dtype, fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0, shape);
    }

    /** xavier_uniform_: U(±√(6/(fan_in + fan_out))) with torch's fan rule (fan_in = dim 1 × receptive, fan_out = dim 0 × receptive). */
    public static Tensor xavierUniform(Generator gen, DType dtype, int... shape) {
        int receptive = 1;
        for (int i = 2; i < shape.length; i++) receptive *= shape[i];
        int fanIn = shape[1] * receptive, fanOut = shape[0] * receptive;
        return uniform(gen, dtype, Math.sqrt(6.0 / (fanIn + fanOut)), shape);
    }

    /** Overwrites a parameter's values in place (torch.nn.init.constant_). */
    public static void fill(Tensor param, double value) { param.backend().fill(param, value); }

    /** Overwrites a parameter's values in place with those of src (same shape, any dtype or backend). */
    public static void copy(Tensor param, Tensor src) { trdetr.ops.Elementwise.assign(param, src); }
}
