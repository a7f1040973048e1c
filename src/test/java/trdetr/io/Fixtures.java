package trdetr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The fixtures of src/test/resources/io (written by tools/make_io_fixtures.py) and a comparison of what Java read
 * against expected.json, element by element and exactly.
 */
final class Fixtures {
    private Fixtures() {}

    static Path file(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/io/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("fixture io/" + name + " not found", e);
        }
    }

    private static JsonNode expected;

    static synchronized JsonNode expected(String section, String name) {
        if (expected == null) {
            try {
                expected = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(Files.readString(file("expected.json")));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        JsonNode n = expected.get(section).get(name);
        if (n == null) throw new IllegalStateException("expected.json has no " + section + "/" + name);
        return n;
    }

    /** A copy of a fixture with its last {@code cut} bytes removed. */
    static Path truncated(Path dir, String name, int cut) throws IOException {
        byte[] b = Files.readAllBytes(file(name));
        Path p = dir.resolve("cut-" + cut + "-" + name);
        Files.write(p, Arrays.copyOf(b, b.length - cut));
        return p;
    }

    /** Asserts that a Java value read from a file is the Python value encoded in expected.json. */
    static void assertMatches(JsonNode exp, Object actual, String where) {
        if (exp.isObject() && exp.has("__tensor__")) {
            assertArray(exp.get("__tensor__"), actual, where);
        } else if (exp.isObject() && exp.has("__dict__")) {
            assertThat(actual).as(where).isInstanceOf(Map.class);
            Map<?, ?> m = (Map<?, ?>) actual;
            JsonNode items = exp.get("__dict__");
            assertThat(m).as(where + " size").hasSize(items.size());
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            for (JsonNode item : items) {
                Map.Entry<?, ?> e = it.next();
                assertMatches(item.get(0), e.getKey(), where + " key");
                assertMatches(item.get(1), e.getValue(), where + "." + e.getKey());
            }
        } else if (exp.isObject() && exp.has("__namespace__")) {
            assertThat(actual).as(where).isInstanceOf(Map.class);
            Map<?, ?> m = (Map<?, ?>) actual;
            JsonNode attrs = exp.get("__namespace__");
            List<String> names = new java.util.ArrayList<>();
            attrs.fieldNames().forEachRemaining(names::add);
            assertThat(new java.util.ArrayList<Object>(m.keySet())).as(where + " attributes").isEqualTo(names);
            attrs.fields().forEachRemaining(f -> assertMatches(f.getValue(), m.get(f.getKey()), where + "." + f.getKey()));
        } else if (exp.isObject() && exp.has("__tuple__")) {
            assertList(exp.get("__tuple__"), actual, where);
        } else if (exp.isObject() && exp.has("__device__")) {
            assertThat(actual).as(where).isEqualTo(exp.get("__device__").textValue());
        } else if (exp.isArray()) {
            assertList(exp, actual, where);
        } else if (exp.isNull()) {
            assertThat(actual).as(where).isNull();
        } else if (exp.isBoolean()) {
            assertThat(actual).as(where).isEqualTo(exp.booleanValue());
        } else if (exp.isTextual()) {
            assertThat(actual).as(where).isEqualTo(exp.textValue());
        } else if (exp.isIntegralNumber()) {
            assertThat(actual).as(where).isEqualTo(exp.longValue());
        } else if (exp.isNumber()) {
            assertThat(actual).as(where).isInstanceOf(Double.class);
            assertThat(Double.compare((Double) actual, exp.doubleValue())).as(where + ": " + actual + " vs " + exp.doubleValue()).isZero();
        } else {
            fail("unknown expected value at " + where + ": " + exp);
        }
    }

    private static void assertList(JsonNode exp, Object actual, String where) {
        assertThat(actual).as(where).isInstanceOf(List.class);
        List<?> l = (List<?>) actual;
        assertThat(l).as(where + " length").hasSize(exp.size());
        for (int i = 0; i < l.size(); i++) assertMatches(exp.get(i), l.get(i), where + "[" + i + "]");
    }

    /** A tensor or NdArray against {"dtype", "shape", "data"}. */
    static void assertArray(JsonNode exp, Object actual, String where) {
        String dtype = exp.get("dtype").textValue();
        int[] shape = new int[exp.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = exp.get("shape").get(i).intValue();
        JsonNode data = exp.get("data");
        Object values;
        if (actual instanceof NdArray a) {
            assertThat(a.dtype()).as(where + " dtype").isEqualTo(dtype);
            assertThat(a.shape()).as(where + " shape").containsExactly(shape);
            values = a.data();
        } else {
            assertThat(actual).as(where).isInstanceOf(Tensor.class);
            Tensor t = (Tensor) actual;
            DType want = switch (dtype) {
                case "float16", "bfloat16", "float32" -> DType.FLOAT32;
                case "float64" -> DType.FLOAT64;
                case "bool" -> DType.BOOL;
                default -> DType.INT64;
            };
            assertThat(t.dtype()).as(where + " dtype").isEqualTo(want);
            assertThat(t.shape()).as(where + " shape").containsExactly(shape);
            assertThat(t.isContiguous()).as(where + " contiguous").isTrue();
            values = switch (want) {
                case FLOAT32 -> t.toFloatArray();
                case FLOAT64 -> t.toDoubleArray();
                case INT64 -> t.toLongArray();
                case BOOL -> t.toBoolArray();
            };
        }
        int n = java.lang.reflect.Array.getLength(values);
        assertThat(n).as(where + " numel").isEqualTo(data.size());
        for (int i = 0; i < n; i++) {
            JsonNode e = data.get(i);
            String at = where + "[" + i + "]";
            if (values instanceof float[] f) {
                assertThat(Double.compare(f[i], e.doubleValue())).as(at + ": " + f[i] + " vs " + e.doubleValue()).isZero();
            } else if (values instanceof double[] d) {
                assertThat(Double.compare(d[i], e.doubleValue())).as(at + ": " + d[i] + " vs " + e.doubleValue()).isZero();
            } else if (values instanceof long[] l) {
                assertThat(l[i]).as(at).isEqualTo(e.longValue());
            } else {
                assertThat(((boolean[]) values)[i]).as(at).isEqualTo(e.booleanValue());
            }
        }
    }
}
