package trdetr.nn;

import trdetr.ops.Normalization;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** torch.nn.LayerNorm over the last axis (γ = 1, β = 0 at start). */
public final class LayerNorm extends Module implements UnaryModule {
    public final Tensor weight;
    public final Tensor bias;
    private final double eps;

    public LayerNorm(int size, double eps, DType dtype) {
        this.weight = parameter("weight", Tensor.ones(dtype, size));
        this.bias = parameter("bias", Tensor.zeros(dtype, size));
        this.eps = eps;
    }

    @Override public Tensor forward(Tensor x) { return emit(Normalization.layerNorm(x, weight, bias, eps)); }
}
