package trdetr.nn;

import trdetr.ops.Indexing;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** torch.nn.Embedding, initialised N(0, 1). */
public final class Embedding extends Module {
    public final Tensor weight;

    public Embedding(int count, int dim, Generator gen, DType dtype) {
        this(Tensor.randn(gen, dtype, count, dim));
    }

    /** A table over a given (count, dim) tensor, such as zeros that a state_dict fills. */
    public Embedding(Tensor weight) {
        this.weight = parameter("weight", weight);
    }

    public Tensor forward(Tensor index) { return emit(Indexing.embedding(weight, index)); }
}
