package trdetr.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import trdetr.io.FormatException;
import trdetr.io.SafeTensors;
import trdetr.io.StateDicts;
import trdetr.io.TorchCheckpoint;
import trdetr.model.OptionReader;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.tensor.Tensor;

/**
 * Training checkpoints as one safetensors file, written atomically (temp file, then rename): the model's state_dict
 * under "model.", AdamW's moments under "adamw.exp_avg." and "adamw.exp_avg_sq.", and a JSON document in the
 * metadata ("trdetr") with the model options, the run's options, the epoch reached, optimizer step counts, the
 * best metric so far and the early-stop counter — everything a resumed run needs to continue as if never stopped.
 */
public final class Checkpoint {
    private static final String MODEL = "model.", EXP_AVG = "adamw.exp_avg.", EXP_AVG_SQ = "adamw.exp_avg_sq.", META = "trdetr";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The run option holding the dropout generator's position, which a resumed run continues from. */
    public static final String DROPOUT_COUNTER = "dropout_counter";

    private Checkpoint() {}

    /** What a run needs besides tensors. epochsDone counts completed epochs. */
    public record Progress(int epochsDone, double bestMetric, int earlyStopCount, Map<String, Object> runOptions) {}

    public static void save(Path file, TrDetr model, AdamW optimizer, Progress progress) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        StateDicts.of(model).forEach((k, v) -> tensors.put(MODEL + k, v));
        if (optimizer != null) {
            optimizer.expAvg().forEach((k, v) -> tensors.put(EXP_AVG + k, v));
            optimizer.expAvgSq().forEach((k, v) -> tensors.put(EXP_AVG_SQ + k, v));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", 1);
        meta.put("model_options", model.config().toOptions());
        meta.put("epochs_done", progress.epochsDone());
        meta.put("best_metric", progress.bestMetric());
        meta.put("early_stop_count", progress.earlyStopCount());
        meta.put("run_options", progress.runOptions());
        meta.put("adamw_steps", optimizer == null ? Map.of() : optimizer.steps());
        meta.put("adamw_lr", optimizer == null ? null : optimizer.lr());
        SafeTensors.write(file, tensors, Map.of(META, JSON.writeValueAsString(meta)));
    }

    /** A checkpoint read back: model config and weights, optimizer state, progress. */
    public record Loaded(TrDetrConfig config, Map<String, Tensor> modelWeights, Map<String, Tensor> expAvg,
                         Map<String, Tensor> expAvgSq, Map<String, Long> adamwSteps, Progress progress) {
        /** Restores model weights and optimizer state. */
        public void restore(TrDetr model, AdamW optimizer, Path file) {
            StateDicts.load(model, modelWeights, file, true);
            if (optimizer != null) optimizer.restore(expAvg, expAvgSq, adamwSteps);
        }
    }

    /**
     * Reads a checkpoint. Its metadata is checked first, from the header alone: a value of the wrong type or out of
     * range is refused in one line naming the file and the key ({@link FormatException}) before any tensor is read
     * or any model sized from it.
     */
    public static Loaded load(Path file) throws IOException {
        Metadata m = metadata(file);
        SafeTensors.Contents c = SafeTensors.readAll(file);
        Map<String, Tensor> weights = new LinkedHashMap<>(), avg = new LinkedHashMap<>(), sq = new LinkedHashMap<>();
        c.arrays().forEach((k, a) -> {
            if (k.startsWith(MODEL)) weights.put(k.substring(MODEL.length()), a.toTensor());
            else if (k.startsWith(EXP_AVG_SQ)) sq.put(k.substring(EXP_AVG_SQ.length()), a.toTensor());
            else if (k.startsWith(EXP_AVG)) avg.put(k.substring(EXP_AVG.length()), a.toTensor());
        });
        return new Loaded(m.config(), weights, avg, sq, m.adamwSteps(), m.progress());
    }

    /** What the metadata says, every field checked. */
    private record Metadata(TrDetrConfig config, Map<String, Long> adamwSteps, Progress progress) {}

    private static Metadata metadata(Path file) throws IOException {
        String json = SafeTensors.readMetadata(file).get(META);
        if (json == null) throw new FormatException(file, "not a trdetr training checkpoint (no '" + META + "' metadata)");
        Map<String, Object> m;
        try {
            m = JSON.readValue(json, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FormatException(file, "the '" + META + "' metadata is not a JSON object: " + FormatException.jsonReason(e), e);
        }
        if (m == null) throw new FormatException(file, "the '" + META + "' metadata is null, not a JSON object");
        OptionReader r = new OptionReader(file, "checkpoint field", m);
        r.integer("format", 1, 1);
        TrDetrConfig config = TrDetrConfig.fromOptions(r.object("model_options"), file);
        Map<String, Object> run = r.object("run_options", Map.of());
        // Read by a resumed run: the position of the dropout stream (absent where no run saved the checkpoint).
        if (run.containsKey(DROPOUT_COUNTER)) new OptionReader(file, "checkpoint field run_options", run).count(DROPOUT_COUNTER);
        Map<String, Object> steps = r.object("adamw_steps", Map.of());
        OptionReader stepReader = new OptionReader(file, "checkpoint field adamw_steps", steps);
        Map<String, Long> adamwSteps = new LinkedHashMap<>();
        for (String name : steps.keySet()) adamwSteps.put(name, stepReader.count(name));
        Progress p = new Progress(r.integer("epochs_done", 0, Integer.MAX_VALUE), r.anyReal("best_metric"),
                r.integer("early_stop_count", 0, Integer.MAX_VALUE), run);
        return new Metadata(config, adamwSteps, p);
    }

    /** A state_dict from any weight file: our checkpoint, safetensors, or a torch.save checkpoint or state_dict. */
    public static Map<String, Tensor> readWeights(Path file) throws IOException {
        if (!isSafeTensors(file)) return TorchCheckpoint.read(file).stateDict();
        return SafeTensors.readMetadata(file).containsKey(META) ? load(file).modelWeights() : SafeTensors.read(file);
    }

    /** Whether a file is a trdetr training checkpoint (safetensors with our metadata). */
    public static boolean isTrdetrCheckpoint(Path file) throws IOException {
        return isSafeTensors(file) && SafeTensors.readMetadata(file).containsKey(META);
    }

    /** By content, not name: safetensors starts with an 8-byte header length followed by a JSON object. */
    static boolean isSafeTensors(Path file) throws IOException {
        try (var in = java.nio.file.Files.newInputStream(file)) {
            byte[] head = in.readNBytes(9);
            return head.length == 9 && head[8] == '{';
        }
    }

    /**
     * A model from any weight file: our checkpoint, an official torch.save checkpoint (config from its opt and weight
     * shapes), or a bare state_dict in safetensors (config must then come from the caller).
     */
    public static TrDetr loadModel(Path file, TrDetrConfig configIfBare) throws IOException {
        TrDetrConfig config;
        Map<String, Tensor> weights;
        if (isSafeTensors(file)) {
            Map<String, String> meta = SafeTensors.readMetadata(file);
            if (meta.containsKey(META)) {
                Loaded l = load(file);
                config = l.config();
                weights = l.modelWeights();
            } else {
                if (configIfBare == null) throw new FormatException(file, "a bare state_dict: give the model options too");
                config = configIfBare;
                weights = SafeTensors.read(file);
            }
        } else {
            TorchCheckpoint.Checkpoint ckpt = TorchCheckpoint.read(file);
            weights = ckpt.stateDict();
            config = ckpt.opt() != null ? TrDetrConfig.fromCheckpoint(ckpt.opt(), weights, file) : configIfBare;
            if (config == null) throw new FormatException(file, "a bare state_dict without opt: give the model options too");
        }
        TrDetr model = new TrDetr(config, new trdetr.tensor.Generator(0), trdetr.tensor.DType.FLOAT32);
        StateDicts.load(model, weights, file, true);
        return model;
    }
}
