package trdetr.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import trdetr.io.SafeTensors;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;

/**
 * Checkpoints with one metadata value changed: a valid small checkpoint written by {@link Checkpoint#save}, its
 * "trdetr" metadata JSON edited, and the same tensors written back with {@link SafeTensors#write}, as a hand-edited
 * or corrupted file would look.
 */
public final class BadCheckpoints {
    /** Put in place of a JSON value to remove the key instead. */
    public static final String REMOVE = "<remove>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private BadCheckpoints() {}

    /** A valid checkpoint of a small model (1+1 layers, 2 queries), with an optimizer step count and a dropout position. */
    public static Path valid(Path file) throws IOException {
        TrDetrConfig c = TrDetrConfig.fromOptions(Map.of("enc_layers", 1, "dec_layers", 1, "dim_feedforward", 8, "num_queries", 2,
                "v_feat_dim", 4, "t_feat_dim", 4, "max_q_l", 4, "n_input_proj", 1));
        TrDetr model = new TrDetr(c, new Generator(0), DType.FLOAT32);
        AdamW adamw = new AdamW(model.namedParameters(), 1e-4, 0.9, 0.999, 1e-8, 1e-4);
        adamw.steps().put("query_embed.weight", 5L);
        Checkpoint.save(file, model, adamw, new Checkpoint.Progress(3, 0.25, 1, Map.of(Checkpoint.DROPOUT_COUNTER, 7L)));
        return file;
    }

    /**
     * {@code valid} with the metadata value at {@code path} ("model_options/nheads"; "" for the whole document)
     * replaced by the JSON text {@code json}, or removed when that is {@link #REMOVE}; written to {@code out}.
     */
    public static Path edited(Path valid, Path out, String path, String json) throws IOException {
        JsonNode root = JSON.readTree(SafeTensors.readMetadata(valid).get("trdetr"));
        if (path.isEmpty()) {
            root = JSON.readTree(json);
        } else {
            String[] keys = path.split("/");
            JsonNode parent = root;
            for (int i = 0; i < keys.length - 1; i++) parent = parent.get(keys[i]);
            String last = keys[keys.length - 1];
            if (json.equals(REMOVE)) ((ObjectNode) parent).remove(last);
            else ((ObjectNode) parent).set(last, JSON.readTree(json));
        }
        SafeTensors.write(out, SafeTensors.read(valid), Map.of("trdetr", JSON.writeValueAsString(root)));
        return out;
    }
}
