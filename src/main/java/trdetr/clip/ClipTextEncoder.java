package trdetr.clip;

import trdetr.backend.Backend;
import trdetr.nn.Embedding;
import trdetr.nn.LayerNorm;
import trdetr.nn.Module;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * CLIP's text tower ({@code text_model} in a Hugging Face CLIPModel): token and position embeddings, the blocks
 * under a causal mask (a token sees itself and the tokens before it), and the final layer norm. The projection to
 * the shared embedding space belongs to {@link ClipModel}.
 */
public final class ClipTextEncoder extends Module {
    private final ClipConfig.Text config;
    private final Embeddings embeddings;
    private final ClipEncoder encoder;
    private final LayerNorm finalLayerNorm;

    ClipTextEncoder(ClipConfig.Text c, Backend backend, DType dtype) {
        this.config = c;
        embeddings = child("embeddings", new Embeddings(c, backend, dtype));
        encoder = child("encoder", new ClipEncoder(c, backend, dtype));
        finalLayerNorm = child("final_layer_norm", ClipEncoderLayer.layerNorm(c, backend, dtype));
    }

    public ClipConfig.Text config() { return config; }

    /**
     * The hidden state of every token after the final layer norm: Hugging Face's {@code last_hidden_state}, the
     * output of OpenAI's {@code ln_final} inside {@code encode_text}.
     *
     * @param ids (B, L) INT64 token ids on this tower's backend, L at most the context length; because of the
     *            causal mask, row b's state at position i depends only on ids[b][0..i], so padding after a
     *            position never changes it
     * @return (B, L, hidden)
     */
    public Tensor forward(Tensor ids) {
        int length = ids.size(1);
        Tensor x = embeddings.forward(ids);                                  // (B, L, hidden)
        Tensor h = encoder.forward(x.transpose(0, 1).contiguous(), causalMask(length, x.backend()));
        return emit(finalLayerNorm.forward(h).transpose(0, 1).contiguous());
    }

    /** (L, L) BOOL, true above the diagonal: OpenAI's build_attention_mask (−inf above it), as a mask. */
    private static Tensor causalMask(int length, Backend backend) {
        boolean[] m = new boolean[length * length];
        for (int i = 0; i < length; i++) for (int j = i + 1; j < length; j++) m[i * length + j] = true;
        return Tensor.fromHost(backend, m, length, length);
    }

    /** {@code embeddings.token_embedding} and {@code embeddings.position_embedding} (OpenAI's positional_embedding). */
    static final class Embeddings extends Module {
        private final Embedding tokenEmbedding;
        private final Embedding positionEmbedding;

        Embeddings(ClipConfig.Text c, Backend backend, DType dtype) {
            tokenEmbedding = child("token_embedding", new Embedding(Tensor.zeros(backend, dtype, c.vocabSize(), c.hiddenSize())));
            positionEmbedding = child("position_embedding", new Embedding(Tensor.zeros(backend, dtype, c.maxPositions(), c.hiddenSize())));
        }

        Tensor forward(Tensor ids) {
            return emit(tokenEmbedding.forward(ids).add(positionEmbedding.weight.slice(0, 0, ids.size(1))));
        }
    }
}
