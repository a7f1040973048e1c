package trdetr.model;

import trdetr.nn.Dropout;
import trdetr.nn.LayerNorm;
import trdetr.nn.Module;
import trdetr.nn.MultiheadAttention;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;

/**
 * The members the T2V and encoder layers share, registered in the official order (self_attn, linear1, dropout,
 * linear2, norm1, norm2, dropout1, dropout2, activation) so parameter names and order match the state_dict.
 */
abstract class PostNormLayer extends Module {
    final MultiheadAttention selfAttn;
    final FeedForward ffn;
    final LayerNorm norm1;
    final LayerNorm norm2;
    final Dropout dropout1;
    final Dropout dropout2;

    PostNormLayer(int d, int heads, int ff, double p, Generator gen, DType dtype) {
        selfAttn = child("self_attn", new MultiheadAttention(d, heads, p, gen, dtype));
        ffn = new FeedForward(d, ff, p, gen, dtype);
        child("linear1", ffn.linear1);
        child("dropout", ffn.dropout);
        child("linear2", ffn.linear2);
        norm1 = child("norm1", new LayerNorm(d, 1e-5, dtype));
        norm2 = child("norm2", new LayerNorm(d, 1e-5, dtype));
        dropout1 = child("dropout1", new Dropout(p, gen));
        dropout2 = child("dropout2", new Dropout(p, gen));
        child("activation", ffn.activation);
    }
}
