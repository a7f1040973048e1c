package trdetr.nn;

import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** torch.nn.PReLU with one learnable slope (initially 0.25). */
public final class PReLU extends Module implements UnaryModule {
    public final Tensor weight;

    public PReLU(DType dtype) { this.weight = parameter("weight", Tensor.full(Tensor.defaultBackend(), dtype, 0.25, 1)); }

    @Override public Tensor forward(Tensor x) { return emit(x.prelu(weight)); }
}
