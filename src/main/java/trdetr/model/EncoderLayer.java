package trdetr.model;

import trdetr.nn.InPlace;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** The standard post-norm DETR encoder layer with a PReLU feed-forward (q = k = x + pos, v = x). */
public final class EncoderLayer extends PostNormLayer {
    public EncoderLayer(int d, int heads, int ff, double p, Generator gen, DType dtype) {
        super(d, heads, ff, p, gen, dtype);
    }

    /** x (L, B, d), padMask (B, L) BOOL, pos (L, B, d). */
    public Tensor forward(Tensor x, Tensor padMask, Tensor pos) {
        Tensor qk = x.add(pos);
        Tensor a = selfAttn.forward(qk, qk, x, null, padMask);
        Tensor y = norm1.forwardInPlace(InPlace.add(x, dropout1.forward(a)));
        return emit(norm2.forwardInPlace(InPlace.add(y, dropout2.forward(ffn.forward(y)))));
    }
}
