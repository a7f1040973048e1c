package trdetr.model;

import trdetr.nn.Dropout;
import trdetr.nn.Embedding;
import trdetr.nn.LayerNorm;
import trdetr.nn.Module;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** Learned text positions + LayerNorm + dropout. Built (its weights are in the state_dict) but unused unless use_txt_pos. */
public final class TrainablePositionalEncoding extends Module {
    private final Embedding positions;
    private final LayerNorm norm;
    private final Dropout dropout;

    public TrainablePositionalEncoding(int maxPositions, int d, double p, Generator gen, DType dtype) {
        positions = child("position_embeddings", new Embedding(maxPositions, d, gen, dtype));
        norm = child("LayerNorm", new LayerNorm(d, 1e-5, dtype));
        dropout = child("dropout", new Dropout(p, gen));
    }

    /** x (B, L, d) → LayerNorm(x + position embedding), dropped out. */
    public Tensor forward(Tensor x) {
        int b = x.size(0), l = x.size(1);
        Tensor ids = Tensor.arange(l).unsqueeze(0).expand(b, l).contiguous();
        return emit(dropout.forward(norm.forward(x.add(positions.forward(ids)))));
    }
}
