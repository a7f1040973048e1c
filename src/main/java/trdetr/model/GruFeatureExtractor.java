package trdetr.model;

import trdetr.nn.GRU;
import trdetr.nn.Module;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** A one-layer GRU whose final hidden state summarises a sequence (MR2HD's moment feature). Parameters gru.*. */
public final class GruFeatureExtractor extends Module {
    private final GRU gru;

    public GruFeatureExtractor(int in, int hidden, Generator gen, DType dtype) { gru = child("gru", new GRU(in, hidden, gen, dtype)); }

    /** x (B, L, in) → h_L (B, hidden). */
    public Tensor forward(Tensor x) { return emit(gru.forward(x, null)[1]); }
}
