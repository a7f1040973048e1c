package trdetr.clip;

import java.util.List;
import trdetr.backend.Backend;
import trdetr.nn.Embedding;
import trdetr.nn.LayerNorm;
import trdetr.nn.Module;
import trdetr.ops.LinearAlgebra;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * CLIP's image tower ({@code vision_model} in a Hugging Face CLIPModel): the patch embedding (a convolution whose
 * kernel and stride are the patch size, without bias), the class token in front, position embeddings, the layer
 * norm before the blocks ({@code pre_layrnorm}, so spelt in transformers), the blocks without a mask, and the layer
 * norm of the class token's final state ({@code post_layernorm}). The projection belongs to {@link ClipModel}.
 */
public final class ClipVisionEncoder extends Module {
    private final ClipConfig.Vision config;
    private final Embeddings embeddings;
    private final LayerNorm preLayerNorm;
    private final ClipEncoder encoder;
    private final LayerNorm postLayerNorm;

    ClipVisionEncoder(ClipConfig.Vision c, Backend backend, DType dtype) {
        this.config = c;
        embeddings = child("embeddings", new Embeddings(c, backend, dtype));
        preLayerNorm = child("pre_layrnorm", ClipEncoderLayer.layerNorm(c, backend, dtype));
        encoder = child("encoder", new ClipEncoder(c, backend, dtype));
        postLayerNorm = child("post_layernorm", ClipEncoderLayer.layerNorm(c, backend, dtype));
    }

    public ClipConfig.Vision config() { return config; }

    /**
     * The pooled image state: {@code post_layernorm} of the class token after the last block, Hugging Face's
     * {@code pooler_output} (OpenAI's {@code ln_post(x[:, 0, :])}, before its {@code @ proj}).
     *
     * @param pixels (N, channels, image_size, image_size), already preprocessed (resized, cropped, normalised), in
     *               this tower's dtype and on its backend
     * @return (N, hidden)
     */
    public Tensor forward(Tensor pixels) {
        Tensor x = preLayerNorm.forward(embeddings.forward(pixels));            // (N, 1 + patches, hidden)
        Tensor h = encoder.forward(x.transpose(0, 1).contiguous(), null);
        return emit(postLayerNorm.forward(h.select(0, 0)));
    }

    /**
     * {@code embeddings.class_embedding}, {@code embeddings.patch_embedding} (the convolution's weight, (hidden,
     * channels, patch, patch)) and {@code embeddings.position_embedding}.
     */
    static final class Embeddings extends Module {
        private final ClipConfig.Vision config;
        private final Tensor classEmbedding;
        private final PatchEmbedding patchEmbedding;
        private final Embedding positionEmbedding;

        Embeddings(ClipConfig.Vision c, Backend backend, DType dtype) {
            this.config = c;
            classEmbedding = parameter("class_embedding", Tensor.zeros(backend, dtype, c.hiddenSize()));
            patchEmbedding = child("patch_embedding", new PatchEmbedding(c, backend, dtype));
            positionEmbedding = child("position_embedding", new Embedding(Tensor.zeros(backend, dtype, c.positions(), c.hiddenSize())));
        }

        Tensor forward(Tensor pixels) {
            int n = pixels.size(0), width = config.hiddenSize();
            Tensor cls = classEmbedding.reshape(1, 1, width).expand(n, 1, width);
            Tensor tokens = Tensor.cat(List.of(cls, patchEmbedding.forward(pixels)), 1);
            return emit(tokens.add(positionEmbedding.weight));
        }
    }

    /**
     * The patch convolution (kernel = stride = patch size, no bias) as one matrix product: each patch's pixels in
     * (channel, row, column) order, the order of the kernel's flattened weight, times the weight.
     */
    static final class PatchEmbedding extends Module {
        private final ClipConfig.Vision config;
        private final Tensor weight;

        PatchEmbedding(ClipConfig.Vision c, Backend backend, DType dtype) {
            this.config = c;
            weight = parameter("weight", Tensor.zeros(backend, dtype, c.hiddenSize(), c.channels(), c.patchSize(), c.patchSize()));
        }

        /** @param pixels (N, C, H, W) @return (N, patches, hidden), patches in row-major order over the grid */
        Tensor forward(Tensor pixels) {
            int n = pixels.size(0), c = config.channels(), g = config.grid(), p = config.patchSize();
            Tensor patches = pixels.reshape(n, c, g, p, g, p).permute(0, 2, 4, 1, 3, 5).reshape(n, g * g, c * p * p);
            return emit(LinearAlgebra.linear(patches, weight.reshape(config.hiddenSize(), c * p * p), null));
        }
    }
}
