package trdetr.clip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import trdetr.backend.Backend;
import trdetr.io.FormatException;
import trdetr.io.SafeTensors;
import trdetr.io.StateDicts;
import trdetr.io.TorchCheckpoint;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The files CLIP weights come in and how they reach a {@link ClipModel}: a Hugging Face folder (its names are the
 * model's), or OpenAI's own {@code .pt} file (a TorchScript archive, or a torch.save'd state_dict, under OpenAI's
 * names), converted as transformers' {@code convert_clip_original_pytorch_to_hf.py} converts it.
 */
final class ClipWeights {
    private ClipWeights() {}

    static final String CONFIG = "config.json";
    static final String SAFETENSORS = "model.safetensors";
    static final String PYTORCH_BIN = "pytorch_model.bin";

    /**
     * Buffers older Hugging Face files carry besides the weights (transformers made them non-persistent later):
     * 0..n-1, which the model uses implicitly. They are skipped.
     */
    static final Set<String> BUFFERS = Set.of("text_model.embeddings.position_ids", "vision_model.embeddings.position_ids");

    /** model.safetensors, else pytorch_model.bin; a folder with neither is a one-line error. */
    static Path weightsFile(Path dir) {
        for (String name : new String[] {SAFETENSORS, PYTORCH_BIN}) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) return f;
        }
        throw new FormatException(dir, "no " + SAFETENSORS + " or " + PYTORCH_BIN + " in this CLIP folder");
    }

    /** The state_dict of a safetensors file, a torch.save file or a TorchScript archive, without the {@link #BUFFERS}. */
    static Map<String, Tensor> read(Path file) throws IOException {
        Map<String, Tensor> all = file.getFileName().toString().endsWith(".safetensors")
                ? SafeTensors.read(file) : TorchCheckpoint.readWeights(file);
        Map<String, Tensor> weights = new LinkedHashMap<>(all);
        weights.keySet().removeAll(BUFFERS);
        return weights;
    }

    /**
     * Copies a file's weights into the model, converted to its dtype and backend. Every key must be there with
     * the model's shape, and nothing else (but the {@link #BUFFERS}): otherwise one line names the file and each
     * missing, unexpected or mis-shaped key, and nothing is copied.
     */
    static void load(ClipModel model, Path file) throws IOException {
        StateDicts.load(model, read(file), file, true);
    }

    /** OpenAI's {@code .pt} file (a TorchScript archive or a torch.save'd state_dict) as a model of its own architecture. */
    static ClipModel loadOpenAi(Path file, Backend backend, DType dtype) throws IOException {
        Map<String, Tensor> sd = TorchCheckpoint.readWeights(file);
        ClipConfig config = openAiConfig(sd, file);
        ClipModel model = new ClipModel(config, backend, dtype);
        StateDicts.load(model, fromOpenAi(sd, config, file), file, true);
        return model;
    }

    /** What OpenAI's files hold besides the weights: clip.model.build_model deletes these before loading. */
    static final Set<String> OPENAI_EXTRAS = Set.of("input_resolution", "context_length", "vocab_size");

    /**
     * The architecture of an OpenAI state_dict, as OpenAI's {@code clip.model.build_model} reads it from the shapes:
     * widths from the embeddings, depths from the block count, the patch from the convolution, the image size from
     * the position table, and 64-wide attention heads (true of every released OpenAI ViT). Its end-of-text rule is
     * OpenAI's: the highest id of each row.
     */
    static ClipConfig openAiConfig(Map<String, Tensor> sd, Path file) {
        if (!sd.containsKey("visual.proj")) {
            throw new FormatException(file, "not an OpenAI CLIP ViT: no 'visual.proj'" + (sd.containsKey("visual.attnpool.c_proj.weight")
                    ? " (a ResNet CLIP, which is not supported)" : ""));
        }
        int[] conv = shape(sd, "visual.conv1.weight", 4, file);
        int visionWidth = conv[0], patch = conv[3];
        int grid = (int) Math.round(Math.sqrt(shape(sd, "visual.positional_embedding", 2, file)[0] - 1));
        int width = shape(sd, "ln_final.weight", 1, file)[0];
        ClipConfig.Text text = new ClipConfig.Text(shape(sd, "token_embedding.weight", 2, file)[0], width, 4 * width,
                blocks(sd, "transformer.resblocks."), width / 64, shape(sd, "positional_embedding", 2, file)[0], 1e-5,
                ClipConfig.LEGACY_EOS_TOKEN_ID);
        ClipConfig.Vision vision = new ClipConfig.Vision(visionWidth, 4 * visionWidth, blocks(sd, "visual.transformer.resblocks."),
                visionWidth / 64, conv[1], patch * grid, patch, 1e-5);
        requireHeads(file, "text", width);
        requireHeads(file, "image", visionWidth);
        return new ClipConfig(text, vision, shape(sd, "text_projection", 2, file)[1]);
    }

    /**
     * An OpenAI state_dict under the Hugging Face names: q, k and v cut out of each packed in_proj, the text and
     * visual projections (OpenAI's (width, embed) matrices) transposed into Linear weights, the rest renamed.
     * Keys the config needs but the file lacks, and keys it has beyond them (but {@link #OPENAI_EXTRAS} and the
     * HF {@link #BUFFERS}), are named in one line, under OpenAI's names.
     */
    static Map<String, Tensor> fromOpenAi(Map<String, Tensor> sd, ClipConfig config, Path file) {
        OpenAiNames n = new OpenAiNames(sd, file);
        n.put("text_model.embeddings.token_embedding.weight", "token_embedding.weight");
        n.put("text_model.embeddings.position_embedding.weight", "positional_embedding");
        n.blocks("text_model.encoder.layers.", "transformer.resblocks.", config.text().layers());
        n.put("text_model.final_layer_norm.", "ln_final.", "weight", "bias");
        n.put("vision_model.embeddings.class_embedding", "visual.class_embedding");
        n.put("vision_model.embeddings.patch_embedding.weight", "visual.conv1.weight");
        n.put("vision_model.embeddings.position_embedding.weight", "visual.positional_embedding");
        n.put("vision_model.pre_layrnorm.", "visual.ln_pre.", "weight", "bias");
        n.blocks("vision_model.encoder.layers.", "visual.transformer.resblocks.", config.vision().layers());
        n.put("vision_model.post_layernorm.", "visual.ln_post.", "weight", "bias");
        n.transposed("visual_projection.weight", "visual.proj");
        n.transposed("text_projection.weight", "text_projection");
        n.put("logit_scale", "logit_scale");
        return n.result();
    }

    private static void requireHeads(Path file, String tower, int width) {
        if (width < 64 || width % (width / 64) != 0) {
            throw new FormatException(file, "the " + tower + " width " + width + " does not split into OpenAI's 64-wide attention heads");
        }
    }

    private static int[] shape(Map<String, Tensor> sd, String key, int rank, Path file) {
        Tensor t = sd.get(key);
        if (t == null) throw new FormatException(file, "not an OpenAI CLIP ViT: no '" + key + "'");
        if (t.rank() != rank) throw new FormatException(file, "'" + key + "' has shape " + java.util.Arrays.toString(t.shape()) + ", not of rank " + rank);
        return t.shape();
    }

    /** The number of blocks under a prefix: distinct indices N of "PREFIX.N.*". */
    private static int blocks(Map<String, Tensor> sd, String prefix) {
        Set<String> seen = new TreeSet<>();
        for (String k : sd.keySet()) if (k.startsWith(prefix)) seen.add(k.substring(prefix.length()).split("\\.", 2)[0]);
        return seen.size();
    }

    /** The renaming, keeping track of what the file lacks and what it has unused. */
    private static final class OpenAiNames {
        private final Map<String, Tensor> src;
        private final Path file;
        private final Map<String, Tensor> out = new LinkedHashMap<>();
        private final List<String> missing = new ArrayList<>();
        private final Set<String> used = new java.util.HashSet<>();

        OpenAiNames(Map<String, Tensor> src, Path file) {
            this.src = src;
            this.file = file;
        }

        private Tensor take(String name) {
            Tensor t = src.get(name);
            if (t == null) missing.add(name);
            else used.add(name);
            return t;
        }

        void put(String hf, String openAi) {
            Tensor t = take(openAi);
            if (t != null) out.put(hf, t);
        }

        /** hf + s ← openAi + s for each suffix. */
        void put(String hf, String openAi, String... suffixes) {
            for (String s : suffixes) put(hf + s, openAi + s);
        }

        void transposed(String hf, String openAi) {
            Tensor t = take(openAi);
            if (t == null) return;
            if (t.rank() != 2) throw new FormatException(file, "'" + openAi + "' has shape " + java.util.Arrays.toString(t.shape()) + ", not a matrix");
            out.put(hf, t.transpose(0, 1));
        }

        /** in_proj_{weight,bias} (3w, ...) → q_proj, k_proj, v_proj, the rest renamed. */
        void blocks(String hf, String openAi, int count) {
            for (int i = 0; i < count; i++) {
                String d = hf + i + ".", s = openAi + i + ".";
                for (String part : new String[] {"weight", "bias"}) {
                    Tensor packed = take(s + "attn.in_proj_" + part);
                    if (packed == null) continue;
                    int w = packed.size(0) / 3;
                    if (packed.rank() < 1 || packed.size(0) != 3 * w) {
                        throw new FormatException(file, "'" + s + "attn.in_proj_" + part + "' has shape " + java.util.Arrays.toString(packed.shape())
                                + ", not q, k and v stacked");
                    }
                    String[] qkv = {"q", "k", "v"};
                    for (int j = 0; j < 3; j++) out.put(d + "self_attn." + qkv[j] + "_proj." + part, packed.slice(0, j * w, (j + 1) * w));
                }
                put(d + "self_attn.out_proj.", s + "attn.out_proj.", "weight", "bias");
                put(d + "layer_norm1.", s + "ln_1.", "weight", "bias");
                put(d + "mlp.fc1.", s + "mlp.c_fc.", "weight", "bias");
                put(d + "mlp.fc2.", s + "mlp.c_proj.", "weight", "bias");
                put(d + "layer_norm2.", s + "ln_2.", "weight", "bias");
            }
        }

        Map<String, Tensor> result() {
            List<String> unexpected = new ArrayList<>();
            for (String k : src.keySet()) if (!used.contains(k) && !OPENAI_EXTRAS.contains(k)) unexpected.add(k);
            StateDicts.requireNoKeyProblems(file, missing, unexpected);
            return out;
        }
    }
}
