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

    /** {@link #forward} written over {@code fresh}, a temporary of the caller's own, where {@link InPlace} allows it. */
    public Tensor forwardInPlace(Tensor fresh) {
        if (!InPlace.allowed(fresh) || !fresh.dtype().isFloating() || fresh.rank() == 0 || fresh.size(-1) != weight.numel()
            || fresh.dtype() != weight.dtype()) {
            return forward(fresh);
        }
        fresh.backend().layerNormInPlace(fresh, weight, bias, eps);
        return emit(fresh);
    }
}
