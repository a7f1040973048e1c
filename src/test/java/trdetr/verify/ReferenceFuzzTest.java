package trdetr.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.io.FormatException;
import trdetr.io.NdArray;
import trdetr.io.Npz;

/**
 * Semantic lies in a well-formed reference file (the zip and .npy layers are fuzzed in trdetr.io): entries of another
 * dtype or shape, deleted inputs, indices out of range, a config of the wrong kind. Each mutant must either load and
 * verify (pass or fail by comparison) or be refused with a one-line FormatException naming the file; nothing else
 * escapes (no "matmul: dtypes differ", no IndexOutOfBounds, no OutOfMemoryError).
 */
class ReferenceFuzzTest {
    private static final Path SOURCE = Path.of("src/test/reference/parity_dec1_h4_q3.npz");
    @TempDir Path tmp;

    record Mutant(String name, UnaryOperator<Map<String, NdArray>> change) {}

    private static Map<String, NdArray> with(Map<String, NdArray> m, String key, NdArray value) {
        Map<String, NdArray> out = new LinkedHashMap<>(m);
        if (value == null) out.remove(key);
        else out.put(key, value);
        return out;
    }

    /** The entry's values converted to another dtype (integers truncated), same shape. */
    static NdArray cast(NdArray a, String dtype) {
        double[] v = new double[a.numel()];
        for (int i = 0; i < v.length; i++) {
            Object d = a.data();
            v[i] = d instanceof float[] f ? f[i] : d instanceof double[] x ? x[i] : d instanceof long[] l ? l[i] : ((boolean[]) d)[i] ? 1 : 0;
        }
        Object data = switch (dtype) {
            case "float32", "float16" -> { float[] f = new float[v.length]; for (int i = 0; i < v.length; i++) f[i] = (float) v[i]; yield f; }
            case "float64" -> v;
            case "bool" -> { boolean[] b = new boolean[v.length]; for (int i = 0; i < v.length; i++) b[i] = v[i] != 0; yield b; }
            default -> { long[] l = new long[v.length]; for (int i = 0; i < v.length; i++) l[i] = (long) v[i]; yield l; }
        };
        return new NdArray(dtype, a.shape(), data);
    }

    /** The first n elements (flat) as a 1-D array, or the elements repeated to n. */
    static NdArray resized(NdArray a, int n) {
        NdArray flat = cast(a, a.dtype());
        Object d = flat.data();
        Object out = java.lang.reflect.Array.newInstance(d.getClass().getComponentType(), n);
        for (int i = 0; i < n; i++) java.lang.reflect.Array.set(out, i, java.lang.reflect.Array.get(d, i % Math.max(1, a.numel())));
        return new NdArray(a.dtype(), new int[] {n}, out);
    }

    static NdArray reshaped(NdArray a, int... shape) { return new NdArray(a.dtype(), shape, cast(a, a.dtype()).data()); }

    static NdArray text(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long[] v = new long[b.length];
        for (int i = 0; i < b.length; i++) v[i] = b[i] & 0xff;
        return new NdArray("uint8", new int[] {b.length}, v);
    }

    static NdArray filled(NdArray a, long value) {
        long[] v = new long[a.numel()];
        java.util.Arrays.fill(v, value);
        return cast(new NdArray("int64", a.shape(), v), a.dtype());
    }

    private static List<Mutant> mutants(Map<String, NdArray> original, Random random) {
        List<Mutant> m = new ArrayList<>();
        for (String in : List.of("vid", "vmask", "txt", "tmask", "spans", "nspans", "pos", "neg", "allsal", "posmask")) {
            String key = "in." + in;
            NdArray a = original.get(key);
            m.add(new Mutant(key + " deleted", r -> with(r, key, null)));
            String other = random.nextBoolean() ? "bool" : a.dtype().startsWith("float") ? "int64" : "float32";
            m.add(new Mutant(key + " as " + other, r -> with(r, key, cast(a, other))));
            m.add(new Mutant(key + " flattened", r -> with(r, key, resized(a, a.numel()))));
            m.add(new Mutant(key + " one element short", r -> with(r, key, resized(a, a.numel() - 1))));
        }
        m.add(new Mutant("in.nspans counts more spans than in.spans has", r -> with(r, "in.nspans", filled(original.get("in.nspans"), 3))));
        m.add(new Mutant("in.nspans negative", r -> with(r, "in.nspans", filled(original.get("in.nspans"), -1))));
        m.add(new Mutant("in.pos beyond the video", r -> with(r, "in.pos", filled(original.get("in.pos"), 1000))));
        m.add(new Mutant("in.neg negative", r -> with(r, "in.neg", filled(original.get("in.neg"), -3))));
        m.add(new Mutant("in.allsal huge", r -> with(r, "in.allsal", filled(original.get("in.allsal"), Long.MAX_VALUE))));
        List<String> weights = original.keySet().stream().filter(k -> k.startsWith("w.")).toList();
        for (int i = 0; i < 2; i++) {
            String key = weights.get(random.nextInt(weights.size()));
            NdArray a = original.get(key);
            m.add(new Mutant(key + " as int64", r -> with(r, key, cast(a, "int64"))));
            m.add(new Mutant(key + " as float64", r -> with(r, key, cast(a, "float64"))));
            m.add(new Mutant(key + " flattened", r -> with(r, key, resized(a, a.numel()))));
        }
        String sampled = original.keySet().stream().filter(k -> k.startsWith("idx.")).findFirst().orElseThrow();
        String sampledKey = sampled.substring(4);
        m.add(new Mutant(sampled + " out of range", r -> with(r, sampled, filled(original.get(sampled), 1L << 40))));
        m.add(new Mutant(sampled + " negative", r -> with(r, sampled, filled(original.get(sampled), -1))));
        m.add(new Mutant("shape." + sampledKey + " negative", r -> with(r, "shape." + sampledKey, filled(original.get("shape." + sampledKey), -2))));
        m.add(new Mutant("shape." + sampledKey + " huge", r -> with(r, "shape." + sampledKey, filled(original.get("shape." + sampledKey), 1L << 40))));
        m.add(new Mutant(sampled + " as float32", r -> with(r, sampled, cast(original.get(sampled), "float32"))));
        m.add(new Mutant("loss.total of two numbers", r -> with(r, "loss.total", resized(original.get("loss.total"), 2))));
        m.add(new Mutant("loss.total as int64", r -> with(r, "loss.total", cast(original.get("loss.total"), "int64"))));
        m.add(new Mutant("out.pred_spans as int64", r -> with(r, "out.pred_spans", cast(original.get("out.pred_spans"), "int64"))));
        m.add(new Mutant("out.pred_logits reshaped", r -> with(r, "out.pred_logits", resized(original.get("out.pred_logits"), 6))));
        m.add(new Mutant("meta.config as float32", r -> with(r, "meta.config", cast(original.get("meta.config"), "float32"))));
        m.add(new Mutant("meta.config not JSON", r -> with(r, "meta.config", text("{\"hidden_dim\": 32,\n oops"))));
        m.add(new Mutant("meta.config a list", r -> with(r, "meta.config", text("[1, 2]"))));
        m.add(new Mutant("meta.config not UTF-8", r -> with(r, "meta.config", new NdArray("uint8", new int[] {3}, new long[] {0x7b, 0xff, 0x7d}))));
        m.add(new Mutant("meta.act_order not a list of names", r -> with(r, "meta.act_order", text("{\"a\": 1}"))));
        m.add(new Mutant("meta.act_order numbers", r -> with(r, "meta.act_order", text("[1, 2]"))));
        String config = original.get("meta.config").utf8();
        for (String[] lie : new String[][] {{"\"dtype\": \"float64\"", "\"dtype\": \"float16\""}, {"\"dtype\": \"float64\"", "\"dtype\": 64"},
                                            {"\"mr2hd_slices\": [", "\"mr2hd_slices\": [7, "}, {"\"grad_norms\": {", "\"grad_norms\": {\"x\": \"y\", "},
                                            {"\"hashed_weights\": ", "\"hashed_weights\": {\"seed\": 1, \"tensors\": {\"w\": {\"bound\": 1, \"shape\": [100000, 100000]}}}, \"was\": "},
                                            {"\"hashed_weights\": ", "\"hashed_weights\": {\"seed\": 1, \"tensors\": {\"w\": {\"bound\": 1, \"shape\": [\"a\"]}}}, \"was\": "},
                                            {"\"hashed_weights\": {", "\"hashed_weights\": {\"bits\": 30, "}, {"\"hashed_weights\": {", "\"hashed_weights\": {\"bits\": \"4\", "}}) {
            if (!config.contains(lie[0])) continue;
            m.add(new Mutant("meta.config " + lie[1], r -> with(r, "meta.config", text(config.replaceFirst(java.util.regex.Pattern.quote(lie[0]), java.util.regex.Matcher.quoteReplacement(lie[1]))))));
        }
        return m;
    }

    @Test
    void everySemanticLieIsRefusedCleanlyOrCompared() throws Exception {
        Map<String, NdArray> original = Npz.read(SOURCE);
        List<Mutant> mutants = mutants(original, new Random(20));
        int refused = 0, compared = 0;
        List<String> unclean = new ArrayList<>();
        for (int i = 0; i < mutants.size(); i++) {
            Mutant mutant = mutants.get(i);
            Path file = tmp.resolve("mutant" + i + ".npz");
            Npz.write(file, mutant.change().apply(original));
            try {
                Verifier.run(Reference.load(file), null);
                compared++;
            } catch (FormatException e) {
                if (e.getMessage().startsWith(file + ": ") && !e.getMessage().contains("\n")) refused++;
                else unclean.add(mutant.name() + ": badly formed message: " + e.getMessage());
            } catch (Throwable t) {
                unclean.add(mutant.name() + ": " + t);
            }
        }
        System.out.printf("fuzz reference: %d tried, %d refused cleanly, %d loaded and compared, %d unclean%n",
                mutants.size(), refused, compared, unclean.size());
        assertThat(unclean).isEmpty();
    }
}
