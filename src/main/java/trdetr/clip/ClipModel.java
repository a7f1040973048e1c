package trdetr.clip;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import trdetr.autograd.GradMode;
import trdetr.backend.Backend;
import trdetr.backend.MemoryScope;
import trdetr.nn.Linear;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * CLIP ViT (OpenAI's ViT-B/32, B/16, L/14, ...) for inference, under the parameter names of a Hugging Face
 * {@code CLIPModel}: {@code text_model}, {@code vision_model}, {@code text_projection}, {@code visual_projection},
 * {@code logit_scale}. It computes the features the moment-retrieval datasets were made with:
 * <ul>
 *   <li>{@link #encodeTextTokens}: each query's per-token states after the final layer norm, start-of-text to
 *       end-of-text inclusive, (L × 512 for ViT-B/32): what a QVHighlights {@code qid*.npz} holds as
 *       {@code last_hidden_state} and what Lighthouse's CLIP text extractor returns;</li>
 *   <li>{@link #encodeText}: the sentence embedding, the end-of-text state times the text projection (OpenAI's
 *       {@code encode_text}, Hugging Face's {@code get_text_features}; a {@code qid*.npz}'s {@code pooler_output});</li>
 *   <li>{@link #encodeImage}: the image embedding, the class token's post-layer-norm state times the visual
 *       projection (OpenAI's {@code encode_image}, Hugging Face's {@code get_image_features}): one row of
 *       QVHighlights' {@code clip_features} per clip (512 wide for ViT-B/32).</li>
 * </ul>
 * These methods run without autograd, on the backend and in the dtype the model was loaded with (float32 or
 * float64), and return tensors there; on a GPU everything else they allocate is released before they return.
 * Embeddings are not normalised (the datasets store them as the model gives them).
 */
public final class ClipModel extends trdetr.nn.Module {
    private final ClipConfig config;
    private final Backend backend;
    private final DType dtype;
    private final Tensor logitScale;
    private final ClipTextEncoder textModel;
    private final ClipVisionEncoder visionModel;
    private final Linear visualProjection;
    private final Linear textProjection;

    /** A model with every parameter zero (layer norms one), for {@link #load} or a state_dict to fill. */
    public ClipModel(ClipConfig config, Backend backend, DType dtype) {
        if (!dtype.isFloating()) throw new IllegalArgumentException("CLIP runs in float32 or float64, not " + dtype);
        this.config = config;
        this.backend = backend;
        this.dtype = dtype;
        logitScale = parameter("logit_scale", Tensor.zeros(backend, dtype));
        textModel = child("text_model", new ClipTextEncoder(config.text(), backend, dtype));
        visionModel = child("vision_model", new ClipVisionEncoder(config.vision(), backend, dtype));
        visualProjection = child("visual_projection", new Linear(Tensor.zeros(backend, dtype, config.projectionDim(), config.vision().hiddenSize()), null));
        textProjection = child("text_projection", new Linear(Tensor.zeros(backend, dtype, config.projectionDim(), config.text().hiddenSize()), null));
        eval();
    }

    /**
     * Loads CLIP weights as users download them:
     * <ul>
     *   <li>a Hugging Face CLIP folder ({@code openai/clip-vit-base-patch32} and the like): the architecture from
     *       {@code config.json}, the weights from {@code model.safetensors} (or {@code pytorch_model.bin} when there
     *       is no safetensors file); the tokenizer files ({@code vocab.json}, {@code merges.txt}) are not needed here;</li>
     *   <li>OpenAI's own file ({@code ViT-B-32.pt}, ...; any regular file): a TorchScript archive, read without
     *       running any of its code, or a torch.save'd state_dict; the architecture is read from the weights' shapes
     *       as OpenAI's {@code build_model} reads it (64-wide attention heads).</li>
     * </ul>
     * A missing, unexpected or mis-shaped weight is a one-line {@link trdetr.io.FormatException} naming the file and
     * every key at fault.
     */
    public static ClipModel load(Path path, Backend backend, DType dtype) throws IOException {
        if (java.nio.file.Files.isRegularFile(path)) return ClipWeights.loadOpenAi(path, backend, dtype);
        ClipConfig config = ClipConfig.read(path.resolve(ClipWeights.CONFIG));
        ClipModel model = new ClipModel(config, backend, dtype);
        ClipWeights.load(model, ClipWeights.weightsFile(path));
        return model;
    }

    public ClipConfig config() { return config; }

    public Backend backend() { return backend; }

    public DType dtype() { return dtype; }

    public ClipTextEncoder textModel() { return textModel; }

    public ClipVisionEncoder visionModel() { return visionModel; }

    /** The learned temperature's logarithm ({@code logit_scale}, 0-d): similarity logits are exp(it) × cosine. */
    public Tensor logitScale() { return logitScale; }

    /** A query's features: its per-token states and its sentence embedding. */
    public record TextFeatures(List<Tensor> tokenStates, Tensor embeds) {}

    /**
     * Per-token states and sentence embeddings of a batch of token sequences, in one pass.
     *
     * @param ids one row of token ids per query as the CLIP tokenizer gives them: start-of-text, the words,
     *            end-of-text, optionally zero padding (to the context length 77, as {@code clip.tokenize} pads);
     *            rows may differ in length, none longer than the context length
     * @return tokenStates: row b's states (eot_b + 1, hidden), positions 0 to its end-of-text token inclusive
     *         ({@link #encodeTextTokens}); embeds: (B, projection_dim) ({@link #encodeText})
     * @throws IllegalArgumentException naming the row at fault: an empty or too long row, an id outside the
     *                                  vocabulary, no end-of-text token (where the config names one)
     */
    @SuppressWarnings("try")
    public TextFeatures encodeTextFeatures(int[][] ids) {
        int[] eot = endOfText(ids);
        int length = Arrays.stream(eot).max().orElse(0) + 1;           // the states up to the last EOT are all we need
        long[] flat = new long[ids.length * length];
        for (int b = 0; b < ids.length; b++) {
            for (int i = 0; i < Math.min(length, ids[b].length); i++) flat[b * length + i] = ids[b][i];
        }
        long[] pick = new long[ids.length];
        for (int b = 0; b < ids.length; b++) pick[b] = (long) b * length + eot[b];
        try (GradMode.Scope g = GradMode.noGrad(); MemoryScope scope = backend.openScope()) {
            Tensor hidden = textModel.forward(Tensor.fromHost(backend, flat, ids.length, length));
            Tensor pooled = hidden.reshape(ids.length * length, config.text().hiddenSize()).indexSelect(0, Tensor.fromHost(backend, pick, ids.length));
            Tensor embeds = textProjection.forward(pooled);
            scope.keep(hidden);
            scope.keep(embeds);
            List<Tensor> states = new ArrayList<>(ids.length);
            for (int b = 0; b < ids.length; b++) states.add(hidden.select(0, b).slice(0, 0, eot[b] + 1));
            return new TextFeatures(List.copyOf(states), embeds);
        }
    }

    /**
     * Each query's per-token hidden states after the final layer norm, start-of-text to end-of-text inclusive:
     * row b gives (eot_b + 1, hidden), what QVHighlights' {@code qid*.npz} {@code last_hidden_state} holds (L × 512
     * for ViT-B/32). See {@link #encodeTextFeatures} for the ids.
     */
    public List<Tensor> encodeTextTokens(int[][] ids) { return encodeTextFeatures(ids).tokenStates(); }

    /**
     * The sentence embeddings (B, projection_dim): each query's end-of-text state times the text projection, as
     * OpenAI's {@code encode_text} (not normalised). See {@link #encodeTextFeatures} for the ids.
     */
    public Tensor encodeText(int[][] ids) { return encodeTextFeatures(ids).embeds(); }

    /**
     * The image embeddings (N, projection_dim), as OpenAI's {@code encode_image} (not normalised): one row of
     * QVHighlights' {@code clip_features} per frame.
     *
     * @param pixels (N, channels, image_size, image_size) preprocessed pixels (resized, centre-cropped, normalised
     *               with CLIP's mean and deviation), of any float dtype and on any backend
     */
    @SuppressWarnings("try")
    public Tensor encodeImage(Tensor pixels) {
        ClipConfig.Vision v = config.vision();
        int[] s = pixels.shape();
        if (s.length != 4 || s[1] != v.channels() || s[2] != v.imageSize() || s[3] != v.imageSize()) {
            throw new IllegalArgumentException("encodeImage: pixels must be (N, " + v.channels() + ", " + v.imageSize() + ", "
                    + v.imageSize() + "), got " + Arrays.toString(s));
        }
        try (GradMode.Scope g = GradMode.noGrad(); MemoryScope scope = backend.openScope()) {
            Tensor out = visualProjection.forward(visionModel.forward(pixels.to(backend).to(dtype)));
            scope.keep(out);
            return out;
        }
    }

    /**
     * The position each row's sentence embedding is taken from: its end-of-text token. With the config's
     * end-of-text id at the legacy value 2 (openai/clip-vit-base-patch32's config.json, and transformers before
     * its fix) that is the first highest id of the row, OpenAI's {@code text.argmax(dim=-1)} (the end-of-text id
     * 49407 is the vocabulary's highest); otherwise the first position holding the config's end-of-text id.
     */
    public int[] endOfText(int[][] ids) {
        ClipConfig.Text t = config.text();
        if (ids.length == 0) throw new IllegalArgumentException("no token rows given");
        int[] eot = new int[ids.length];
        for (int b = 0; b < ids.length; b++) {
            int[] row = ids[b];
            if (row == null || row.length == 0) throw new IllegalArgumentException("token row " + b + " is empty");
            if (row.length > t.maxPositions()) {
                throw new IllegalArgumentException("token row " + b + " has " + row.length + " ids, more than the context length " + t.maxPositions());
            }
            int at = -1;
            for (int i = 0; i < row.length; i++) {
                if (row[i] < 0 || row[i] >= t.vocabSize()) {
                    throw new IllegalArgumentException("token row " + b + ", position " + i + ": id " + row[i] + " is outside the vocabulary (0.."
                            + (t.vocabSize() - 1) + ")");
                }
                if (t.poolsAtArgmax() ? at < 0 || row[i] > row[at] : at < 0 && row[i] == t.eosTokenId()) at = i;
            }
            if (at < 0) throw new IllegalArgumentException("token row " + b + " has no end-of-text token (id " + t.eosTokenId() + ")");
            eot[b] = at;
        }
        return eot;
    }
}
