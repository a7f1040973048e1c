package trdetr.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.io.FormatException;
import trdetr.io.NdArray;
import trdetr.io.Npz;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * A reference file written by tools/export_reference.py from the official code (layout in src/test/reference/README.md):
 * config, weights, a padded batch, and the official outputs, loss terms, gradients and per-module activations.
 *
 * <p>The official run is float32 (as trained) or float64 (`--dtype float64`: the same float32-representable weights
 * and inputs, computed in float64, which is the exact answer up to float64 rounding). A `--dtype both` file holds the
 * float64 run as {@link #official()} and the official float32 run beside it ({@link #officialFloat32()}, entries
 * {@code f32.*}), so that our float32 error can be set against the official float32 error.
 */
public record Reference(Path file, Map<String, Object> config, Map<String, Tensor> weights, Map<String, Tensor> inputs,
                        Run official, Run officialFloat32, List<String> activationOrder, Map<String, Sample> samples) {

    /**
     * A tensor of which the file keeps only some entries (`--sample N`): their flat indices and the full shape. The
     * entry's values (official and f32.*) are those elements, in index order.
     */
    public record Sample(long[] indices, int[] shape) {}

    /** One official run's results: outputs, loss terms, parameter gradients and module outputs, by name. */
    public record Run(Map<String, Tensor> outputs, Map<String, Double> losses, Map<String, Tensor> grads,
                      Map<String, Tensor> activations) {
        static Run empty() { return new Run(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>()); }

        boolean isEmpty() { return outputs.isEmpty() && losses.isEmpty() && grads.isEmpty() && activations.isEmpty(); }
    }

    @SuppressWarnings("unchecked")
    public static Reference load(Path file) throws IOException {
        Map<String, NdArray> arrays = Npz.read(file);
        NdArray meta = arrays.get("meta.config");
        if (meta == null) throw new FormatException(file, "no meta.config entry: not a reference file from tools/export_reference.py");
        Map<String, Object> config = json(file, "meta.config", meta, Map.class);
        if (config == null) throw new FormatException(file, "meta.config is null, not a JSON object");
        List<String> order = new ArrayList<>();
        NdArray orderArray = arrays.get("meta.act_order");
        if (orderArray != null) {
            List<?> names = json(file, "meta.act_order", orderArray, List.class);
            if (names == null) throw new FormatException(file, "meta.act_order is null, not a list of layer names");
            for (Object name : names) {
                if (!(name instanceof String s)) throw new FormatException(file, "meta.act_order must list layer names, not " + name);
                order.add(s);
            }
        }
        Map<String, Tensor> weights = new LinkedHashMap<>(), inputs = new LinkedHashMap<>();
        Run official = Run.empty(), float32 = Run.empty();
        Map<String, long[]> sampleIndices = new LinkedHashMap<>();
        Map<String, int[]> sampleShapes = new LinkedHashMap<>();
        for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
            String key = e.getKey();
            Run run = official;
            if (key.startsWith("f32.")) {
                run = float32;
                key = key.substring(4);
            }
            int dot = key.indexOf('.');
            if (dot < 0) continue;
            String kind = key.substring(0, dot), name = key.substring(dot + 1);
            switch (kind) {
                case "w" -> weights.put(name, e.getValue().toTensor());
                case "idx" -> sampleIndices.put(name, ReferenceInputs.integers(file, e.getKey(), e.getValue()));
                case "shape" -> sampleShapes.put(name, ReferenceInputs.dims(file, e.getKey(), ReferenceInputs.integers(file, e.getKey(), e.getValue())));
                case "in" -> inputs.put(name, e.getValue().toTensor());
                case "out" -> run.outputs().put(name, e.getValue().toTensor());
                case "grad" -> run.grads().put(name, e.getValue().toTensor());
                case "act" -> run.activations().put(name, e.getValue().toTensor());
                case "loss" -> {
                    if (e.getValue().numel() != 1) throw new FormatException(file, e.getKey() + " must hold one number, has shape " + java.util.Arrays.toString(e.getValue().shape()));
                    run.losses().put(name, e.getValue().toTensor().item());
                }
                default -> { }
            }
        }
        ReferenceInputs.check(file, inputs, config);
        Object dtype = config.getOrDefault("dtype", "float32");
        if (!List.of("float32", "float64", "both").contains(dtype)) throw new FormatException(file, "meta.config dtype " + dtype + ": expected float32, float64 or both");
        if (dtype.equals("both") && float32.isEmpty()) throw new FormatException(file, "meta.config dtype is both, but there are no f32.* entries");
        if (order.isEmpty()) order.addAll(official.activations().keySet());
        Map<String, Sample> samples = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : sampleIndices.entrySet()) {
            int[] shape = sampleShapes.get(e.getKey());
            if (shape == null) throw new FormatException(file, "idx." + e.getKey() + " has no shape." + e.getKey());
            long numel = ReferenceInputs.numel(file, "shape." + e.getKey(), shape);
            for (long i : e.getValue()) {
                if (i < 0 || i >= numel) throw new FormatException(file, "idx." + e.getKey() + " holds index " + i + ", outside the " + numel + " elements of shape." + e.getKey());
            }
            samples.put(e.getKey(), new Sample(e.getValue(), shape));
        }
        addHashedWeights(file, config, weights);
        Reference reference = new Reference(file, config, weights, inputs, official, float32.isEmpty() ? null : float32, order, samples);
        reference.mr2hdQueries();                                       // checked now, not halfway through a run
        return reference;
    }

    /**
     * The most elements a hashed weight may have: the released model's largest parameter has 721,408 (2818 × 256), so
     * 2^26 leaves room for any sensible configuration while a lying shape cannot exhaust memory.
     */
    private static final long HASHED_LIMIT = 1L << 26;

    /** A text entry (UTF-8 bytes) parsed as JSON of the given kind; anything else is a one-line FormatException. */
    private static <T> T json(Path file, String key, NdArray entry, Class<T> kind) {
        if (!entry.dtype().equals("uint8") && !entry.dtype().equals("int8")) {
            throw new FormatException(file, key + " is a " + entry.dtype() + " array, not UTF-8 text (uint8)");
        }
        try {
            return new ObjectMapper().readValue(entry.utf8(), kind);
        } catch (trdetr.io.Utf8.Malformed e) {
            throw new FormatException(file, key + " is not UTF-8 text: " + e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new FormatException(file, key + " is not a JSON " + (kind == Map.class ? "object" : "list") + at + ": " + FormatException.jsonReason(e), e);
        }
    }

    /** The weights a `--hash-weights` file names but does not carry (meta.config hashed_weights), regenerated. */
    @SuppressWarnings("unchecked")
    private static void addHashedWeights(Path file, Map<String, Object> config, Map<String, Tensor> weights) {
        if (!(config.get("hashed_weights") instanceof Map<?, ?> hashed)) return;
        if (!(hashed.get("seed") instanceof Number seed) || !(hashed.get("tensors") instanceof Map<?, ?> tensors)) {
            throw new FormatException(file, "meta.config hashed_weights needs a numeric seed and a tensors map");
        }
        Object bitsValue = hashed.containsKey("bits") ? hashed.get("bits") : HashedWeights.DEFAULT_BITS;
        if (!(bitsValue instanceof Integer bits) || bits < 2 || bits > HashedWeights.DEFAULT_BITS) {
            throw new FormatException(file, "meta.config hashed_weights.bits is " + bitsValue + "; it must be an integer from 2 to 23");
        }
        for (Map.Entry<?, ?> t : tensors.entrySet()) {
            String name = (String) t.getKey();
            if (!(t.getValue() instanceof Map<?, ?> spec) || !(spec.get("bound") instanceof Number bound) || !(spec.get("shape") instanceof List<?> shape)) {
                throw new FormatException(file, "meta.config hashed_weights." + name + " needs a bound and a shape");
            }
            String where = "meta.config hashed_weights." + name + ".shape";
            long[] given = new long[shape.size()];
            for (int i = 0; i < given.length; i++) {
                if (!(shape.get(i) instanceof Integer || shape.get(i) instanceof Long)) throw new FormatException(file, where + " must list integers, not " + shape);
                given[i] = ((Number) shape.get(i)).longValue();
            }
            int[] dims = ReferenceInputs.dims(file, where, given);
            if (ReferenceInputs.numel(file, where, dims) > HASHED_LIMIT) {
                throw new FormatException(file, where + " " + shape + " has more elements than any TR-DETR parameter (limit " + HASHED_LIMIT + ")");
            }
            weights.put(name, HashedWeights.values(seed.longValue(), name, dims, bound.doubleValue(), bits));
        }
    }

    /**
     * Our full tensor as the file holds the entry {@code key} ("grad.X", "act.Y", "out.Z"): itself, or its sampled
     * elements. Null when the shapes do not match.
     */
    Tensor asStored(String key, Tensor ours) {
        Sample s = samples.get(key);
        if (s == null) return ours;
        if (!java.util.Arrays.equals(ours.shape(), s.shape())) return null;
        return ours.reshape(-1).indexSelect(0, Tensor.ofLongs(s.indices(), s.indices().length).to(ours.backend()));
    }

    /** The full shape of entry {@code key} (its own when not sampled). */
    int[] storedShape(String key, Tensor stored) { return samples.containsKey(key) ? samples.get(key).shape() : stored.shape(); }

    /** √(full size / kept size) of entry {@code key}: scales a norm over the kept entries to the whole tensor's. */
    double sampleScale(String key) {
        Sample s = samples.get(key);
        if (s == null) return 1;
        long n = 1;
        for (int d : s.shape()) n *= d;
        return Math.sqrt((double) n / s.indices().length);
    }

    /** The norm of the official gradient of {@code name}: exact from meta.config grad_norms for a sampled file. */
    @SuppressWarnings("unchecked")
    double gradNorm(String name, Tensor stored) {
        if (config.get("grad_norms") instanceof Map<?, ?> norms && norms.get(name) instanceof Number n) return n.doubleValue();
        if (stored == null) throw new FormatException(file, "meta.config grad_norms has no entry for " + name);
        double s = 0;
        for (double v : stored.toDoubleArray()) s += v * v;
        return Math.sqrt(s) * sampleScale("grad." + name);           // estimated from the kept entries when sampled
    }

    public Tensor input(String name) { return inputs.get(name); }

    /** The precision of the official run that {@link #official()} holds: FLOAT64 for float64 and both files. */
    public DType dtype() { return "float32".equals(config.getOrDefault("dtype", "float32")) ? DType.FLOAT32 : DType.FLOAT64; }

    /** The official MR2HD query per sample (meta.config mr2hd_slices), or null when absent. */
    @SuppressWarnings("unchecked")
    long[] mr2hdQueries() {
        if (!(config.get("mr2hd_slices") instanceof List<?> list)) return null;
        long[] q = new long[list.size()];
        Object queries = config.get("num_queries");
        for (int i = 0; i < q.length; i++) {
            if (!(list.get(i) instanceof Map<?, ?> slice) || !(slice.get("query") instanceof Integer query)
                || queries instanceof Integer n && (query < 0 || query >= n)) {
                throw new FormatException(file, "meta.config mr2hd_slices[" + i + "] must be an object with a query index below num_queries, not " + list.get(i));
            }
            q[i] = query;
        }
        return q;
    }
}
