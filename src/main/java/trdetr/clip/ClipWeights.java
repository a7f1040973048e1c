package trdetr.clip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import trdetr.io.FormatException;
import trdetr.io.SafeTensors;
import trdetr.io.StateDicts;
import trdetr.io.TorchCheckpoint;
import trdetr.tensor.Tensor;

/** The files of a Hugging Face CLIP folder and how their weights reach a {@link ClipModel}. */
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

    /** The state_dict of a safetensors or torch.save file, without the {@link #BUFFERS}. */
    static Map<String, Tensor> read(Path file) throws IOException {
        Map<String, Tensor> all = file.getFileName().toString().endsWith(".safetensors")
                ? SafeTensors.read(file) : TorchCheckpoint.read(file).stateDict();
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
}
