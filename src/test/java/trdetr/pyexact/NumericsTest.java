package trdetr.pyexact;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The NumPy and Python reproductions against values recorded by tools/make_eval_fixtures.py (src/test/resources/eval). */
class NumericsTest {
    private static JsonNode fixtures;

    @BeforeAll
    static void load() throws Exception {
        Path file = Path.of(NumericsTest.class.getResource("/eval/numerics.json").toURI());
        fixtures = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(Files.readString(file));
    }

    private static double[] doubles(JsonNode n) {
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++) d[i] = n.get(i).doubleValue();
        return d;
    }

    private static int[] ints(JsonNode n) {
        int[] d = new int[n.size()];
        for (int i = 0; i < d.length; i++) d[i] = n.get(i).intValue();
        return d;
    }

    @Test
    void argsortOrdersTiesAndNansAsNumpyQuicksort() {
        int checked = 0;
        for (JsonNode c : fixtures.get("argsort")) {
            double[] v = doubles(c.get("values"));
            assertThat(NumpyArgsort.argsort(v)).as("argsort of %s", c.get("values")).containsExactly(ints(c.get("order")));
            checked++;
        }
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void stableArgsortKeepsTiesInIndexOrder() {
        assertThat(StableArgsort.of(new long[] {3, 1, 3, 1, 2})).containsExactly(1, 3, 4, 0, 2);
        assertThat(StableArgsort.of(new double[] {0.5, -1, 0.5, -1})).containsExactly(1, 3, 0, 2);
    }

    @Test
    void sumsAndMeansAddInNumpysOrder() {
        for (JsonNode c : fixtures.get("sums")) {
            double[] v = doubles(c.get("values"));
            assertThat(NumpyReductions.sum(v)).as("sum of %d", v.length).isEqualTo(c.get("sum").doubleValue());
            if (v.length == 0) continue;
            assertThat(NumpyReductions.mean(v)).as("mean of %d", v.length).isEqualTo(c.get("mean").doubleValue());
            int rows = v.length / 3;
            if (rows == 0) continue;
            double[][] m = new double[rows][3];
            for (int i = 0; i < rows; i++) System.arraycopy(v, 3 * i, m[i], 0, 3);
            assertThat(NumpyReductions.mean(m)).as("2-D mean of %d rows", rows).isEqualTo(c.get("mean_rows3").doubleValue());
            assertThat(NumpyReductions.columnMeans(m, 3)).as("mean(0) of %d rows", rows).containsExactly(doubles(c.get("col_means_rows3")));
        }
    }

    @Test
    void float16RoundingMatchesNumpy() {
        for (JsonNode c : fixtures.get("float16")) {
            float x = Float.intBitsToFloat(c.get("f32_bits").intValue());
            double got = Float16.roundToDouble(x);
            if (c.get("f16_bits").isNull()) {
                assertThat(got).as("fp16(%s)", x).isNaN();
            } else {
                assertThat(Double.doubleToRawLongBits(got)).as("fp16(%s) = %s", x, got).isEqualTo(c.get("f16_bits").longValue());
            }
        }
    }

    @Test
    void reprAndFixedFormattingMatchPython() {
        for (JsonNode c : fixtures.get("repr")) {
            double x = Double.longBitsToDouble(c.get("bits").longValue());
            assertThat(PythonFloats.repr(x)).as("repr of %s", x).isEqualTo(c.get("repr").textValue());
            if (!c.get("f2").isNull()) {
                assertThat(PythonFloats.formatFixed(x, 2)).as("format(%s, '.2f')", x).isEqualTo(c.get("f2").textValue());
                assertThat(PythonFloats.formatFixed(x, 4)).as("format(%s, '.4f')", x).isEqualTo(c.get("f4").textValue());
            }
        }
    }

    @Test
    void reprSpellsExponentsLikePython() {
        assertThat(PythonFloats.repr(1e-5)).isEqualTo("1e-05");
        assertThat(PythonFloats.repr(1.5e-5)).isEqualTo("1.5e-05");
        assertThat(PythonFloats.repr(0.0001)).isEqualTo("0.0001");
        assertThat(PythonFloats.repr(1e16)).isEqualTo("1e+16");
        assertThat(PythonFloats.repr(1e15)).isEqualTo("1000000000000000.0");
        assertThat(PythonFloats.repr(5e-324)).isEqualTo("5e-324"); // Java 17 prints 4.9E-324
        assertThat(PythonFloats.repr(100.0)).isEqualTo("100.0");
        assertThat(PythonFloats.repr(53.94)).isEqualTo("53.94");
        assertThat(PythonFloats.repr(-0.0)).isEqualTo("-0.0");
        assertThat(PythonFloats.repr(Math.pow(2, 60))).isEqualTo("1.152921504606847e+18");
        assertThat(PythonFloats.roundDecimals(-0.00001, 4)).isEqualTo(-0.0);
        assertThat(PythonFloats.percent2(0.32204)).isEqualTo(32.2);
        assertThat(PythonFloats.numpyRound(0.885445, 5)).isEqualTo(0.88544); // Python's round() gives 0.88545
    }

    @Test
    void jsonMatchesPythonDumps() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("a", 1.0);
        m.put("b", java.util.List.of(1e-05, Double.NaN, Double.NEGATIVE_INFINITY));
        m.put("c\u00e9", "x\"\\\n\u00e9\u4e2d\ud83d\ude00\u007f");
        m.put("d", new java.util.LinkedHashMap<>());
        assertThat(PythonJson.dumps(m)).isEqualTo(
                "{\"a\": 1.0, \"b\": [1e-05, NaN, -Infinity], \"c\\u00e9\": \"x\\\"\\\\\\n\\u00e9\\u4e2d\\ud83d\\ude00\\u007f\", \"d\": {}}");
        assertThat(PythonJson.dumps(m, 2)).startsWith("{\n  \"a\": 1.0,\n  \"b\": [\n    1e-05,\n");
    }
}
