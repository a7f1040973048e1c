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

    public static Loaded load(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.readAll(file);
        String meta = c.metadata().get(META);
        if (meta == null) throw new FormatException(file, "not a trdetr training checkpoint (no '" + META + "' metadata)");
        Meta m = Meta.parse(file, meta);
        Map<String, Tensor> weights = new LinkedHashMap<>(), avg = new LinkedHashMap<>(), sq = new LinkedHashMap<>();
        c.arrays().forEach((k, a) -> {
            if (k.startsWith(MODEL)) weights.put(k.substring(MODEL.length()), a.toTensor());
            else if (k.startsWith(EXP_AVG_SQ)) sq.put(k.substring(EXP_AVG_SQ.length()), a.toTensor());
            else if (k.startsWith(EXP_AVG)) avg.put(k.substring(EXP_AVG.length()), a.toTensor());
        });
        Map<String, Long> steps = new LinkedHashMap<>();
        m.object("adamw_steps", true).forEach((k, v) -> steps.put(k, m.number("adamw_steps." + k, v).longValue()));
        Progress p = new Progress(m.number("epochs_done").intValue(), m.number("best_metric").doubleValue(),
                m.number("early_stop_count").intValue(), m.object("run_options", true));
        TrDetrConfig config;
        try {
            config = TrDetrConfig.fromOptions(m.object("model_options", false));
        } catch (IllegalArgumentException e) {
            throw m.bad("model_options", e.getMessage());
        }
        return new Loaded(config, weights, avg, sq, steps, p);
    }

    /**
     * The '{@value #META}' metadata document, read field by field, so that a damaged or hand-edited checkpoint is a
     * FormatException naming the field, not a ClassCastException or NullPointerException from deep inside a load.
     */
    private record Meta(Path file, Map<String, Object> doc) {
        @SuppressWarnings("unchecked")
        static Meta parse(Path file, String json) {
            Object v;
            try {
                v = JSON.readValue(json, Object.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new FormatException(file, "metadata '" + META + "' is not valid JSON: " + e.getOriginalMessage(), e);
            }
            if (!(v instanceof Map<?, ?> m)) throw new FormatException(file, "metadata '" + META + "' is not a JSON object");
            return new Meta(file, (Map<String, Object>) m);
        }

        Number number(String key) {
            return number(key, doc.get(key));
        }

        Number number(String key, Object v) {
            if (v instanceof Number n) return n;
            throw bad(key, "is " + describe(v) + ", not a number");
        }

        /** A JSON object field; an optional one may be absent (empty). */
        @SuppressWarnings("unchecked")
        Map<String, Object> object(String key, boolean optional) {
            Object v = doc.get(key);
            if (v == null && optional && !doc.containsKey(key)) return Map.of();
            if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
            throw bad(key, "is " + describe(v) + ", not an object");
        }

        FormatException bad(String key, String problem) {
            return new FormatException(file, "metadata '" + META + "': field '" + key + "' " + problem);
        }

        private static String describe(Object v) {
            if (v == null) return "missing or null";
            String s = v instanceof String str ? "\"" + str + "\"" : String.valueOf(v);
            return s.length() > 40 ? s.substring(0, 40) + "..." : s;
        }
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
            config = ckpt.opt() != null ? TrDetrConfig.fromCheckpoint(ckpt.opt(), weights) : configIfBare;
            if (config == null) throw new FormatException(file, "a bare state_dict without opt: give the model options too");
        }
        TrDetr model = new TrDetr(config, new trdetr.tensor.Generator(0), trdetr.tensor.DType.FLOAT32);
        StateDicts.load(model, weights, file, true);
        return model;
    }
}
