package trdetr.clip;

import trdetr.backend.Backend;
import trdetr.nn.LayerNorm;
import trdetr.nn.Linear;
import trdetr.nn.Module;
import trdetr.nn.ScaledDotProductAttention;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * One pre-norm transformer block of either CLIP tower, under the Hugging Face names
 * ({@code self_attn.{q,k,v,out}_proj}, {@code layer_norm1}, {@code mlp.fc1}, {@code mlp.fc2}, {@code layer_norm2}):
 * x + attention(layer_norm1(x)), then x + fc2(quick_gelu(fc1(layer_norm2(x)))). OpenAI's ResidualAttentionBlock
 * computes the same with q, k and v packed into one in_proj.
 */
final class ClipEncoderLayer extends Module {
    private final Attention selfAttn;
    private final LayerNorm layerNorm1;
    private final Mlp mlp;
    private final LayerNorm layerNorm2;

    ClipEncoderLayer(ClipConfig.Tower c, Backend backend, DType dtype) {
        selfAttn = child("self_attn", new Attention(c.hiddenSize(), c.heads(), backend, dtype));
        layerNorm1 = child("layer_norm1", layerNorm(c, backend, dtype));
        mlp = child("mlp", new Mlp(c.hiddenSize(), c.intermediateSize(), backend, dtype));
        layerNorm2 = child("layer_norm2", layerNorm(c, backend, dtype));
    }

    /** @param x (L, B, width), sequence first; @param mask (L, L) BOOL, true = masked, or null */
    Tensor forward(Tensor x, Tensor mask) {
        Tensor h = x.add(selfAttn.forward(layerNorm1.forward(x), mask));
        return emit(h.add(mlp.forward(layerNorm2.forward(h))));
    }

    /** Multi-head self-attention with separate q, k, v projections; q is scaled by 1/√head_dim. */
    static final class Attention extends Module {
        private final Linear qProj;
        private final Linear kProj;
        private final Linear vProj;
        private final Linear outProj;
        private final int heads;
        private final double scale;

        Attention(int width, int heads, Backend backend, DType dtype) {
            kProj = child("k_proj", linear(width, width, backend, dtype));
            vProj = child("v_proj", linear(width, width, backend, dtype));
            qProj = child("q_proj", linear(width, width, backend, dtype));
            outProj = child("out_proj", linear(width, width, backend, dtype));
            this.heads = heads;
            this.scale = 1.0 / Math.sqrt((double) width / heads);
        }

        Tensor forward(Tensor x, Tensor mask) {
            Tensor q = qProj.forward(x).mul(scale);
            var a = ScaledDotProductAttention.apply(q, kProj.forward(x), vProj.forward(x), heads, mask, null, 0, false, null);
            return emit(outProj.forward(a.output()));
        }
    }

    /** fc1 → quick_gelu → fc2. */
    static final class Mlp extends Module {
        private final Linear fc1;
        private final Linear fc2;

        Mlp(int width, int intermediate, Backend backend, DType dtype) {
            fc1 = child("fc1", linear(width, intermediate, backend, dtype));
            fc2 = child("fc2", linear(intermediate, width, backend, dtype));
        }

        Tensor forward(Tensor x) {
            Tensor h = fc1.forward(x);
            return emit(fc2.forward(quickGelu(h)));
        }
    }

    /** OpenAI's QuickGELU, x·σ(1.702·x), composed of existing ops. */
    static Tensor quickGelu(Tensor x) { return x.mul(x.mul(1.702).sigmoid()); }

    /** A zero Linear with bias on a backend, for a state_dict to fill. */
    static Linear linear(int in, int out, Backend backend, DType dtype) {
        return new Linear(Tensor.zeros(backend, dtype, out, in), Tensor.zeros(backend, dtype, out));
    }

    /** A layer norm over a tower's width on a backend, for a state_dict to fill. */
    static LayerNorm layerNorm(ClipConfig.Tower c, Backend backend, DType dtype) {
        int width = c.hiddenSize();
        return new LayerNorm(Tensor.full(backend, dtype, 1.0, width), Tensor.zeros(backend, dtype, width), c.layerNormEps());
    }
}
