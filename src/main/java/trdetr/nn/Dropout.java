package trdetr.nn;

import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** torch.nn.Dropout: active in training mode only; masks come from the shared generator. */
public final class Dropout extends Module implements UnaryModule {
    private final double p;
    private final Generator gen;

    public Dropout(double p, Generator gen) {
        this.p = p;
        this.gen = gen;
    }

    @Override public Tensor forward(Tensor x) { return emit(trdetr.ops.Dropout.apply(x, p, isTraining(), gen)); }
}
