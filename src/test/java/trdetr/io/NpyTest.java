package trdetr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

class NpyTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"f16.npy", "f32.npy", "f64.npy", "i8.npy", "u8.npy", "i16.npy", "i32.npy", "i64.npy", "bool.npy",
            "f32_be.npy", "i64_be.npy", "f64_be.npy", "scalar0d.npy", "empty.npy", "text.npy", "v2.npy", "v3.npy"})
    void readsWhatNumPyWrote(String name) throws IOException {
        NdArray a = Npy.read(Fixtures.file(name));
        Fixtures.assertMatches(Fixtures.expected("npy", name), a, name);
    }

    @Test
    void zeroDimensionalArrayIsOneElement() throws IOException {
        NdArray a = Npy.read(Fixtures.file("scalar0d.npy"));
        assertThat(a.shape()).isEmpty();
        Tensor t = a.toTensor();
        assertThat(t.rank()).isZero();
        assertThat(t.dtype()).isEqualTo(DType.FLOAT64);
        assertThat(t.item()).isEqualTo(3.5);
    }

    @Test
    void textArrayDecodesAsUtf8() throws IOException {
        assertThat(Npy.read(Fixtures.file("text.npy")).utf8()).isEqualTo("héllo wörld");
    }

    @Test
    void tensorDtypes() throws IOException {
        assertThat(Npy.read(Fixtures.file("f16.npy")).toTensor().dtype()).isEqualTo(DType.FLOAT32);
        assertThat(Npy.read(Fixtures.file("i8.npy")).toTensor().dtype()).isEqualTo(DType.INT64);
        assertThat(Npy.read(Fixtures.file("bool.npy")).toTensor().dtype()).isEqualTo(DType.BOOL);
    }

    @Test
    void readsFortranOrderAsNumPyWroteIt() throws IOException {
        NdArray a = Npy.read(Fixtures.file("fortran.npy")); // np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
        assertThat(a).isEqualTo(new NdArray("float32", new int[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5}));
    }

    /** Every dtype, 1-d to 3-d: a column-major file written by hand reads as the C-order array. */
    @Test
    void readsFortranOrderForEveryDtypeAndRank() throws IOException {
        for (int[] shape : new int[][] {{5}, {2, 3}, {3, 1, 4}, {2, 3, 4}, {0, 3}}) {
            for (String dtype : new String[] {"float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"}) {
                NdArray a = sample(dtype, shape);
                byte[] bytes = fortranNpy(a);
                Path p = tmp.resolve("f.npy");
                Files.write(p, bytes);
                assertThat(Npy.read(p)).as(dtype + " " + Arrays.toString(shape)).isEqualTo(a);

                Path z = tmp.resolve("f.npz");
                try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
                    out.putNextEntry(new ZipEntry("x.npy"));
                    out.write(bytes);
                    out.closeEntry();
                }
                assertThat(Npz.read(z).get("x")).as("npz " + dtype + " " + Arrays.toString(shape)).isEqualTo(a);
            }
        }
    }

    /** Distinct values (so a misplaced element shows) that every dtype holds exactly. */
    private static NdArray sample(String dtype, int[] shape) {
        int n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        Object data = switch (dtype) {
            case "float16", "float32" -> { float[] v = new float[n]; for (int i = 0; i < n; i++) v[i] = i - 7.5f; yield v; }
            case "float64" -> { double[] v = new double[n]; for (int i = 0; i < n; i++) v[i] = i / 3.0; yield v; }
            case "bool" -> { boolean[] v = new boolean[n]; for (int i = 0; i < n; i++) v[i] = i % 3 == 1; yield v; }
            default -> { long[] v = new long[n]; for (int i = 0; i < n; i++) v[i] = dtype.equals("uint8") ? i * 7 : i * 5 - 60; yield v; }
        };
        return new NdArray(dtype, shape, data);
    }

    /** An .npy with 'fortran_order': True: element (i0, i1, ...) at column-major position i0 + d0 * (i1 + d1 * (...)). */
    private static byte[] fortranNpy(NdArray a) throws IOException {
        int[] shape = a.shape();
        int n = a.numel();
        Object cData = a.data();
        Object fData = java.lang.reflect.Array.newInstance(cData.getClass().getComponentType(), n);
        for (int f = 0; f < n; f++) {
            int rest = f, c = 0;
            int[] idx = new int[shape.length];
            for (int d = 0; d < shape.length; d++) { idx[d] = rest % shape[d]; rest /= shape[d]; }
            for (int d = 0; d < shape.length; d++) c = c * shape[d] + idx[d];
            java.lang.reflect.Array.set(fData, f, java.lang.reflect.Array.get(cData, c));
        }
        String descr = Map.of("float16", "<f2", "float32", "<f4", "float64", "<f8", "int8", "|i1", "uint8", "|u1", "int16", "<i2",
                "int32", "<i4", "int64", "<i8", "bool", "|b1").get(a.dtype());
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        byte[] hb = ("{'descr': '" + descr + "', 'fortran_order': True, 'shape': (" + dims.toString().strip() + "), }\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) hb.length, (byte) (hb.length >>> 8)});
        out.write(hb);
        out.write(IoSupport.encode(new NdArray(a.dtype(), new int[] {n}, fData), IoSupport.Elem.ofDtype(a.dtype()), java.nio.ByteOrder.LITTLE_ENDIAN));
        return out.toByteArray();
    }

    @Test
    void rejectsObjectArrays() {
        Path f = Fixtures.file("object.npy");
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining("'descr'").hasMessageContaining("object arrays");
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        for (String name : new String[] {"f32.npy", "i64_be.npy", "bool.npy"}) {
            long size = Files.size(Fixtures.file(name));
            for (int cut : new int[] {1, 7, (int) size - 130, (int) size - 12, (int) size - 3}) {
                Path p = Fixtures.truncated(tmp, name, cut);
                assertThatThrownBy(() -> Npy.read(p)).as(name + " cut " + cut).isInstanceOf(FormatException.class)
                        .hasMessageStartingWith(p + ": ").hasMessageNotContaining("\n");
            }
        }
    }

    @Test
    void rejectsMalformedHeaders() throws IOException {
        String[] headers = {
            "{'descr': '<f4', 'fortran_order': False}",                         // no shape
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", // extra field
            "{'descr': '<u4', 'fortran_order': False, 'shape': (2,)}",          // unsupported dtype
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", // structured
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",         // negative dim
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",           // unterminated
            "__import__('os').system('true')",                                  // not a literal
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000000000)}", // too large
        };
        for (String h : headers) {
            byte[] hb = h.getBytes(StandardCharsets.ISO_8859_1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) hb.length, 0});
            out.write(hb);
            out.write(new byte[8]);
            Path p = tmp.resolve("bad.npy");
            Files.write(p, out.toByteArray());
            assertThatThrownBy(() -> Npy.read(p)).as(h).isInstanceOf(FormatException.class).hasMessageStartingWith(p + ": ");
        }
        Path notNpy = tmp.resolve("x.npy");
        Files.writeString(notNpy, "hello world, not numpy");
        assertThatThrownBy(() -> Npy.read(notNpy)).isInstanceOf(FormatException.class).hasMessageContaining("magic");
    }

    @Test
    void streamReadNamesTheKey() {
        byte[] junk = "\u0093NUMPY\u0001\u0000\u0040\u0000{'descr'".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> Npy.read(Path.of("some.npz"), new ByteArrayInputStream(junk), "vid_feat"))
                .isInstanceOf(FormatException.class).hasMessageStartingWith("some.npz: vid_feat: ");
    }

    @Test
    void writeThenReadRoundTripsEveryDtype() throws IOException {
        NdArray[] arrays = {
            new NdArray("float32", new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, Float.MAX_VALUE, -0f}),
            new NdArray("float64", new int[] {}, new double[] {Math.PI}),
            new NdArray("int64", new int[] {3}, new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}),
            new NdArray("uint8", new int[] {2, 1}, new long[] {0, 255}),
            new NdArray("bool", new int[] {0}, new boolean[] {}),
            new NdArray("bool", new int[] {1, 1, 2}, new boolean[] {true, false}),
            new NdArray("float16", new int[] {3}, new float[] {0.5f, 65504f, -0.0999755859375f}),
            new NdArray("int8", new int[] {2}, new long[] {-128, 127}),
            new NdArray("int16", new int[] {2}, new long[] {-32768, 32767}),
            new NdArray("int32", new int[] {2}, new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE}),
        };
        for (NdArray a : arrays) {
            Path p = tmp.resolve(a.dtype() + ".npy");
            Npy.write(p, a);
            byte[] bytes = Files.readAllBytes(p);
            int headerEnd = 10 + ((bytes[8] & 0xff) | (bytes[9] & 0xff) << 8);
            assertThat(headerEnd % 64).isZero();
            assertThat(Npy.read(p)).as(a.dtype()).isEqualTo(a);
        }
    }

    @Test
    void writesTheBytesNumPyWrites() throws IOException {
        for (String name : new String[] {"f16.npy", "f32.npy", "f64.npy", "i64.npy", "u8.npy", "bool.npy", "i8.npy", "i16.npy", "i32.npy"}) {
            NdArray a = Npy.read(Fixtures.file(name));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Npy.write(out, a);
            assertThat(out.toByteArray()).as(name).isEqualTo(Files.readAllBytes(Fixtures.file(name)));
        }
    }

    @Test
    void writeRejectsOutOfRangeIntegers() {
        NdArray a = new NdArray("uint8", new int[] {1}, new long[] {256});
        assertThatThrownBy(() -> Npy.write(new ByteArrayOutputStream(), a)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ndArrayFromTensor() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1);
        NdArray a = NdArray.of(t);
        assertThat(a.dtype()).isEqualTo("float32");
        assertThat(a.shape()).containsExactly(3, 2);
        assertThat((float[]) a.data()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(NdArray.of(Tensor.ofLongs(new long[] {7}, 1)).dtype()).isEqualTo("int64");
        assertThat(NdArray.of(Tensor.ofBools(new boolean[] {true}, 1)).dtype()).isEqualTo("bool");
        assertThat(NdArray.of(Tensor.of(new double[] {1}, 1)).dtype()).isEqualTo("float64");
        assertThatThrownBy(() -> new NdArray("float32", new int[] {2}, new double[2])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NdArray("float32", new int[] {3}, new float[2])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NdArray("complex64", new int[] {2}, new float[2])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void float16ConversionIsExactAndRoundsToNearestEven() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Half.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertThat((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0).isTrue();
                assertThat(Float.isNaN(Half.toFloat(Half.fromFloat(f)))).isTrue();
                continue;
            }
            assertThat(Half.fromFloat(f) & 0xffff).as("half 0x%04x", h).isEqualTo(h);
        }
        // halfway cases round to the even neighbour; beyond the largest half is infinity
        assertThat(Half.fromFloat(1f + 0x1p-11f)).isEqualTo((short) 0x3c00);
        assertThat(Half.fromFloat(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
        assertThat(Half.fromFloat(0x1p-25f)).isEqualTo((short) 0);
        assertThat(Half.fromFloat(0x1.8p-25f)).isEqualTo((short) 1);
        assertThat(Half.fromFloat(65520f)).isEqualTo((short) 0x7c00);
        assertThat(Half.fromFloat(65519f)).isEqualTo((short) 0x7bff);
        assertThat(Half.fromFloat(1e-10f)).isEqualTo((short) 0);
        assertThat(Arrays.asList(Half.toFloat((short) 0x8000))).containsExactly(-0f);
    }
}
