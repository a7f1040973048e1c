package trdetr.nn;

import trdetr.ops.Indexing;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** torch.nn.Embedding, initialised N(0, 1). */
public final class Embedding extends Module {
    public final Tensor weight;

    public Embedding(int count, int dim, Generator gen, DType dtype) {
        this.weight = parameter("weight", Tensor.randn(gen, dtype, count, dim));
    }

    public Tensor forward(Tensor index) { return emit(Indexing.embedding(weight, index)); }
}
