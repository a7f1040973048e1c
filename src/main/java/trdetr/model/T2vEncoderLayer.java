package trdetr.model;

import java.util.List;
import trdetr.nn.InPlace;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * Text-to-video layer ("T2V_TransformerEncoderLayer_no_global", post-norm): video clips attend to text tokens;
 * the text part passes through. The FFN residual is taken from the value before norm1 (spec §2.5 step 4).
 */
public final class T2vEncoderLayer extends PostNormLayer {
    public T2vEncoderLayer(int d, int heads, int ff, double p, Generator gen, DType dtype) {
        super(d, heads, ff, p, gen, dtype);
    }

    /**
     * @param src       (Lv+Lt, B, d), video first
     * @param padMask   (B, Lv+Lt) BOOL, true = padding
     * @param attnMask  (B·h, Lv, Lt) BOOL: the extra "both padded" mask, already tiled (see {@link Transformer})
     */
    public Tensor forward(Tensor src, Tensor padMask, Tensor pos, int videoLength, Tensor attnMask) {
        Tensor withPos = src.add(pos);
        Tensor q = withPos.slice(0, 0, videoLength), k = withPos.slice(0, videoLength, withPos.size(0));
        Tensor v = src.slice(0, videoLength, src.size(0));
        Tensor textPad = padMask.slice(1, videoLength, padMask.size(1));
        Tensor a = selfAttn.forward(q, k, v, attnMask, textPad);
        Tensor x = InPlace.add(src.slice(0, 0, videoLength), dropout1.forward(a));
        Tensor x2 = InPlace.add(x, dropout2.forward(ffn.forward(norm1.forward(x))));
        return emit(Tensor.cat(List.of(norm2.forwardInPlace(x2), v), 0));
    }
}
