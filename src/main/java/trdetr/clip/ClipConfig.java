package trdetr.clip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import trdetr.io.FormatException;

/**
 * The architecture of a CLIP ViT as a Hugging Face {@code config.json} describes it ({@code CLIPConfig}: a
 * {@code text_config}, a {@code vision_config} and the shared {@code projection_dim}). A field the file leaves out
 * takes transformers' default, which is the ViT-B/32 value: the hub's own configs list only what differs, and older
 * ones put it under {@code text_config_dict} / {@code vision_config_dict}, which then win over {@code text_config} /
 * {@code vision_config} as in transformers.
 *
 * @param projectionDim the width of the projected text and image embeddings (512 for ViT-B/32 and B/16, 768 for L/14)
 */
public record ClipConfig(Text text, Vision vision, int projectionDim) {
    /** The activation every OpenAI CLIP uses, x·σ(1.702x); configs naming another one are refused. */
    public static final String QUICK_GELU = "quick_gelu";
    /** The end-of-text id transformers' configs carried before its fix (#24773): then the pooling takes the argmax id. */
    public static final int LEGACY_EOS_TOKEN_ID = 2;

    /** What both towers' blocks are built from. */
    public interface Tower {
        int hiddenSize();

        int intermediateSize();

        int layers();

        int heads();

        double layerNormEps();
    }

    /**
     * The text tower.
     *
     * @param maxPositions the context length (77): the longest token sequence the position table covers
     * @param eosTokenId   the end-of-text id as the config gives it; {@link #LEGACY_EOS_TOKEN_ID} (the value in
     *                     openai/clip-vit-base-patch32's config.json) means "the highest id in each row", OpenAI's rule
     */
    public record Text(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int maxPositions,
                       double layerNormEps, int eosTokenId) implements Tower {
        /** Whether the sentence embedding pools at the highest id of each row (OpenAI's encode_text) rather than at the first eosTokenId. */
        public boolean poolsAtArgmax() { return eosTokenId == LEGACY_EOS_TOKEN_ID; }
    }

    /** The vision tower: square images of imageSize pixels cut into patchSize × patchSize patches. */
    public record Vision(int hiddenSize, int intermediateSize, int layers, int heads, int channels, int imageSize,
                         int patchSize, double layerNormEps) implements Tower {
        /** Patches per side. */
        public int grid() { return imageSize / patchSize; }

        /** Tokens per image: the patches and the class token. */
        public int positions() { return grid() * grid() + 1; }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a Hugging Face CLIP {@code config.json}; a field that is malformed or unsupported is a one-line {@link FormatException}. */
    public static ClipConfig read(Path file) throws IOException {
        return parse(Files.readString(file), file);
    }

    /** Parses the text of a {@code config.json}; {@code file} names it in messages (may be null). */
    public static ClipConfig parse(String json, Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "malformed JSON: " + FormatException.jsonReason(e));
        }
        if (root == null || !root.isObject()) throw new FormatException(file, "not a JSON object");
        Fields top = new Fields(file, "", root);
        String type = top.text("model_type", "clip");
        if (!type.equals("clip")) throw new FormatException(file, "model_type '" + type + "' is not a CLIP model (expected 'clip')");
        Fields t = top.sub("text_config");
        Fields v = top.sub("vision_config");
        Text text = new Text(t.positive("vocab_size", 49408), t.positive("hidden_size", 512), t.positive("intermediate_size", 2048),
                t.positive("num_hidden_layers", 12), t.positive("num_attention_heads", 8), t.positive("max_position_embeddings", 77),
                t.eps(), t.integer("eos_token_id", 49407));
        Vision vision = new Vision(v.positive("hidden_size", 768), v.positive("intermediate_size", 3072),
                v.positive("num_hidden_layers", 12), v.positive("num_attention_heads", 12), v.positive("num_channels", 3),
                v.positive("image_size", 224), v.positive("patch_size", 32), v.eps());
        t.activation();
        v.activation();
        t.divisible("hidden_size", text.hiddenSize(), "num_attention_heads", text.heads());
        v.divisible("hidden_size", vision.hiddenSize(), "num_attention_heads", vision.heads());
        v.divisible("image_size", vision.imageSize(), "patch_size", vision.patchSize());
        return new ClipConfig(text, vision, top.positive("projection_dim", 512));
    }

    /** One JSON object of the config, read field by field with defaults; messages name the field by its path. */
    private record Fields(Path file, String prefix, JsonNode node) {
        Fields sub(String name) {
            JsonNode legacy = node.get(name + "_dict");                    // wins over name, as in transformers
            String key = legacy != null && !legacy.isNull() ? name + "_dict" : name;
            JsonNode n = node.get(key);
            if (n == null || n.isNull()) return new Fields(file, prefix + key + ".", JSON.createObjectNode());
            if (!n.isObject()) throw new FormatException(file, prefix + key + " is not an object");
            return new Fields(file, prefix + key + ".", n);
        }

        int integer(String name, int fallback) {
            JsonNode n = node.get(name);
            if (n == null || n.isNull()) return fallback;
            if (!n.isIntegralNumber() || !n.canConvertToInt()) throw bad(name, "an integer", n);
            return n.intValue();
        }

        int positive(String name, int fallback) {
            int value = integer(name, fallback);
            if (value <= 0) throw bad(name, "a positive integer", node.get(name));
            return value;
        }

        double eps() {
            JsonNode n = node.get("layer_norm_eps");
            if (n == null || n.isNull()) return 1e-5;
            if (!n.isNumber() || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) throw bad("layer_norm_eps", "a positive number", n);
            return n.doubleValue();
        }

        String text(String name, String fallback) {
            JsonNode n = node.get(name);
            if (n == null || n.isNull()) return fallback;
            if (!n.isTextual()) throw bad(name, "a string", n);
            return n.textValue();
        }

        void activation() {
            String act = text("hidden_act", QUICK_GELU);
            if (!act.equals(QUICK_GELU)) {
                throw new FormatException(file, prefix + "hidden_act '" + act + "' is not supported (only " + QUICK_GELU + ", OpenAI CLIP's activation)");
            }
        }

        void divisible(String name, int value, String byName, int by) {
            if (value % by != 0) throw new FormatException(file, prefix + name + " " + value + " is not a multiple of " + prefix + byName + " " + by);
        }

        FormatException bad(String name, String expected, JsonNode got) {
            return new FormatException(file, prefix + name + " must be " + expected + ", got " + got);
        }
    }
}
