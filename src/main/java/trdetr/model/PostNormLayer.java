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
        FeedForward.Tail tail = FeedForward.registerTail(this::child, 1, d, ff, p, gen, dtype);
        ffn = tail.ffn();
        norm1 = tail.penultimateNorm();
        norm2 = tail.lastNorm();
        dropout1 = tail.penultimateDropout();
        dropout2 = tail.lastDropout();
    }
}
