package trdetr.nn;

import trdetr.ops.Normalization;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** torch.nn.LayerNorm over the last axis (γ = 1, β = 0 at start). */
public final class LayerNorm extends Module {
    public final Tensor weight;
    public final Tensor bias;
    private final double eps;

    public LayerNorm(int size, double eps, DType dtype) {
        this.weight = parameter("weight", Tensor.ones(dtype, size));
        this.bias = parameter("bias", Tensor.zeros(dtype, size));
        this.eps = eps;
    }

    public Tensor forward(Tensor x) { return Normalization.layerNorm(x, weight, bias, eps); }
}
