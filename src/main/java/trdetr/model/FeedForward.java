package trdetr.model;

import trdetr.nn.Dropout;
import trdetr.nn.LayerNorm;
import trdetr.nn.Linear;
import trdetr.nn.Module;
import trdetr.nn.PReLU;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * The parts every TR-DETR transformer layer shares: linear1 → PReLU → dropout → linear2. Not a module of its own in
 * the official code, so its pieces are registered on the owning layer under the official names.
 */
final class FeedForward {
    final Linear linear1;
    final Dropout dropout;
    final Linear linear2;
    final PReLU activation;

    FeedForward(int d, int ff, double p, Generator gen, DType dtype) {
        linear1 = new Linear(d, ff, true, gen, dtype);
        dropout = new Dropout(p, gen);
        linear2 = new Linear(ff, d, true, gen, dtype);
        activation = new PReLU(dtype);
    }

    Tensor forward(Tensor x) { return linear2.forward(dropout.forward(activation.forwardInPlace(linear1.forward(x)))); }

    /** A layer's {@code Module.child}, which the layer hands over as {@code this::child} (it is protected there). */
    interface Registrar {
        <M extends Module> M child(String name, M module);
    }

    /** The members {@link #registerTail} made: the feed-forward and the layer's last two norms and dropouts. */
    record Tail(FeedForward ffn, LayerNorm penultimateNorm, LayerNorm lastNorm, Dropout penultimateDropout, Dropout lastDropout) {}

    /**
     * Makes and registers what every official layer's {@code __init__} ends with, in its order (which fixes the
     * state_dict order and the order in which the generator is drawn): linear1, dropout, linear2, norm{k},
     * norm{k+1}, dropout{k}, dropout{k+1}, activation. k is 1 in the encoder layers and 2 in the decoder layer, which
     * registers norm1 and dropout1 after its self-attention.
     */
    static Tail registerTail(Registrar layer, int k, int d, int ff, double p, Generator gen, DType dtype) {
        FeedForward ffn = new FeedForward(d, ff, p, gen, dtype);
        layer.child("linear1", ffn.linear1);
        layer.child("dropout", ffn.dropout);
        layer.child("linear2", ffn.linear2);
        LayerNorm penultimateNorm = layer.child("norm" + k, new LayerNorm(d, 1e-5, dtype));
        LayerNorm lastNorm = layer.child("norm" + (k + 1), new LayerNorm(d, 1e-5, dtype));
        Dropout penultimateDropout = layer.child("dropout" + k, new Dropout(p, gen));
        Dropout lastDropout = layer.child("dropout" + (k + 1), new Dropout(p, gen));
        layer.child("activation", ffn.activation);
        return new Tail(ffn, penultimateNorm, lastNorm, penultimateDropout, lastDropout);
    }
}
