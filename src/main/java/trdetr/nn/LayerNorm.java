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
        this(Tensor.ones(dtype, size), Tensor.zeros(dtype, size), eps);
    }

    /** A layer norm over given tensors (weight and bias of the normalised size), such as ones that a state_dict fills. */
    public LayerNorm(Tensor weight, Tensor bias, double eps) {
        this.weight = parameter("weight", weight);
        this.bias = parameter("bias", bias);
        this.eps = eps;
    }

    @Override public Tensor forward(Tensor x) { return emit(Normalization.layerNorm(x, weight, bias, eps)); }
}
