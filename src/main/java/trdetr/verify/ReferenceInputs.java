package trdetr.verify;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import trdetr.io.FormatException;
import trdetr.io.NdArray;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The batch of a reference file checked before anything runs on it: every in.* entry present, of a consistent shape
 * (batch B, clips Lv, words Lt, spans N, feature widths as meta.config says) and, for the entries used as indices or
 * counts, of an integer dtype and within range. A lying file is then refused with one line naming the entry, instead
 * of failing deep inside the model ("gather: index 1000 is out of bounds", "matmul: dtypes differ").
 */
final class ReferenceInputs {
    private ReferenceInputs() {}

    /** Each input's dimensions by name; a name seen twice must have the same size. "aud" is optional. */
    private static final Map<String, String[]> SHAPES = new LinkedHashMap<>();
    static {
        SHAPES.put("vid", new String[] {"B", "Lv", "Dv"});
        SHAPES.put("vmask", new String[] {"B", "Lv"});
        SHAPES.put("txt", new String[] {"B", "Lt", "Dt"});
        SHAPES.put("tmask", new String[] {"B", "Lt"});
        SHAPES.put("spans", new String[] {"N", "2"});
        SHAPES.put("nspans", new String[] {"B"});
        SHAPES.put("pos", new String[] {"B", "K"});
        SHAPES.put("neg", new String[] {"B", "K"});
        SHAPES.put("allsal", new String[] {"B", "Lv"});
        SHAPES.put("posmask", new String[] {"B", "Lv"});
        SHAPES.put("aud", new String[] {"B", "Lv", "Da"});
    }

    static void check(Path file, Map<String, Tensor> inputs, Map<String, Object> config) {
        Map<String, Integer> sizes = new HashMap<>();
        for (Map.Entry<String, String[]> e : SHAPES.entrySet()) {
            Tensor t = inputs.get(e.getKey());
            if (t == null) {
                if (e.getKey().equals("aud")) continue;
                throw new FormatException(file, "missing input in." + e.getKey());
            }
            String[] names = e.getValue();
            int[] shape = t.shape();
            if (shape.length != names.length) {
                throw new FormatException(file, "in." + e.getKey() + " has shape " + Arrays.toString(shape) + "; expected [" + String.join(", ", names) + "]");
            }
            for (int d = 0; d < names.length; d++) {
                Integer want = names[d].chars().allMatch(Character::isDigit) ? Integer.valueOf(names[d]) : sizes.putIfAbsent(names[d], shape[d]);
                if (want != null && want != shape[d]) {
                    throw new FormatException(file, "in." + e.getKey() + " has shape " + Arrays.toString(shape) + ", but " + names[d] + " is " + want
                            + " in the other inputs (expected [" + String.join(", ", names) + "])");
                }
            }
        }
        int clips = sizes.get("Lv");
        for (String index : new String[] {"pos", "neg"}) {
            for (long i : integers(file, "in." + index, inputs.get(index))) {
                if (i < 0 || i >= clips) throw new FormatException(file, "in." + index + " holds clip index " + i + ", outside the " + clips + " clips of in.vid");
            }
        }
        long total = 0;
        for (long n : integers(file, "in.nspans", inputs.get("nspans"))) {
            if (n < 0) throw new FormatException(file, "in.nspans holds a negative count " + n);
            total += n;
        }
        if (total != sizes.get("N")) throw new FormatException(file, "in.nspans counts " + total + " spans, but in.spans has " + sizes.get("N"));
        // meta.config's v_feat_dim is the video projection's input width, audio columns included (export_reference.py)
        int audio = sizes.getOrDefault("Da", 0);
        expectWidth(file, config, "v_feat_dim", sizes.get("Dv") + audio, audio > 0 ? "in.vid's and in.aud's widths together" : "in.vid's width");
        expectWidth(file, config, "t_feat_dim", sizes.get("Dt"), "in.txt's width");
    }

    private static void expectWidth(Path file, Map<String, Object> config, String key, int have, String what) {
        if (config.get(key) instanceof Number n && n.longValue() != have) {
            throw new FormatException(file, "meta.config " + key + " is " + n + ", but " + what + " is " + have);
        }
    }

    /** The values of an entry that holds integers (indices, counts, shapes); a float or bool entry is refused. */
    static long[] integers(Path file, String key, NdArray entry) {
        return integers(file, key, entry.toTensor());
    }

    private static long[] integers(Path file, String key, Tensor t) {
        if (t.dtype() != DType.INT64) throw new FormatException(file, key + " must hold integers, not " + t.dtype().name().toLowerCase());
        return t.toLongArray();
    }

    /** A shape read from a file: non-negative dimensions that fit an int. */
    static int[] dims(Path file, String key, long[] given) {
        int[] dims = new int[given.length];
        for (int i = 0; i < given.length; i++) {
            if (given[i] < 0 || given[i] > Integer.MAX_VALUE) throw new FormatException(file, key + " has dimension " + given[i] + ", not a size");
            dims[i] = (int) given[i];
        }
        return dims;
    }

    /** The element count of a shape, refused when it exceeds what one array can hold. */
    static long numel(Path file, String key, int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) throw new FormatException(file, key + " " + Arrays.toString(shape) + " has more elements than one array can hold");
        }
        return n;
    }
}
