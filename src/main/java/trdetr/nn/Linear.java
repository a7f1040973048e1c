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
        this.weight = parameter("weight", Init.fanInUniform(gen, dtype, in, out, in));
        this.bias = bias ? parameter("bias", Init.fanInUniform(gen, dtype, in, out)) : null;
    }

    @Override public Tensor forward(Tensor x) { return emit(LinearAlgebra.linear(x, weight, bias)); }
}
