package trdetr.nn;

import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** torch.nn.PReLU with one learnable slope (initially 0.25). */
public final class PReLU extends Module implements UnaryModule {
    public final Tensor weight;

    public PReLU(DType dtype) { this.weight = parameter("weight", Tensor.full(Tensor.defaultBackend(), dtype, 0.25, 1)); }

    @Override public Tensor forward(Tensor x) { return emit(x.prelu(weight)); }

    /** {@link #forward} written over {@code fresh}, a temporary of the caller's own, where {@link InPlace} allows it. */
    public Tensor forwardInPlace(Tensor fresh) {
        if (!InPlace.allowed(fresh) || weight.numel() != 1 || !fresh.dtype().isFloating()) return forward(fresh);
        fresh.backend().unaryInPlace(trdetr.backend.UnaryOp.LEAKY, fresh, weight.item(), 0);   // Elementwise.prelu's op
        return emit(fresh);
    }
}
