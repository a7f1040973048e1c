package trdetr.nn;

import trdetr.ops.LinearAlgebra;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** torch.nn.Linear: y = x·Wᵀ + b, weight stored (out, in). */
public final class Linear extends Module implements UnaryModule {
    public final Tensor weight;
    public final Tensor bias;

    public Linear(int in, int out, boolean bias, Generator gen, DType dtype) {
        this(Init.fanInUniform(gen, dtype, in, out, in), bias ? Init.fanInUniform(gen, dtype, in, out) : null);
    }

    /** A layer over given tensors (weight (out, in), bias (out) or null), such as zeros that a state_dict fills. */
    public Linear(Tensor weight, Tensor bias) {
        this.weight = parameter("weight", weight);
        this.bias = bias == null ? null : parameter("bias", bias);
    }

    @Override public Tensor forward(Tensor x) { return emit(LinearAlgebra.linear(x, weight, bias)); }
}
