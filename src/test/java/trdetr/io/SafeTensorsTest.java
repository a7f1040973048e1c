package trdetr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

class SafeTensorsTest {
    @TempDir Path tmp;

    @Test
    void readsTheFixture() throws IOException {
        Path f = Fixtures.file("tensors.safetensors");
        var exp = Fixtures.expected("safetensors", "tensors.safetensors");
        SafeTensors.Contents c = SafeTensors.readAll(f);
        assertThat(c.metadata()).containsExactly(Map.entry("format", "pt"), Map.entry("source", "make_io_fixtures.py"));
        // NdArray dtype names: BF16 comes back as float32 values
        Map<String, Tensor> tensors = SafeTensors.read(f);
        Fixtures.assertMatches(exp.get("tensors"), tensors, "tensors.safetensors");
        assertThat(c.arrays().get("bf").dtype()).isEqualTo("float32");
        assertThat(c.arrays().get("half").dtype()).isEqualTo("float16");
        assertThat(SafeTensors.readMetadata(f)).containsEntry("format", "pt");
    }

    @Test
    void writeThenReadRoundTripsInOrder() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("zeta.weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1));
        tensors.put("alpha", Tensor.of(new double[] {Math.E}));
        tensors.put("idx", Tensor.ofLongs(new long[] {Long.MIN_VALUE, 42}, 2));
        tensors.put("mask", Tensor.ofBools(new boolean[] {true, false, true}, 3, 1));
        tensors.put("empty", Tensor.zeros(DType.FLOAT32, 0, 5));
        Path p = tmp.resolve("w.safetensors");
        SafeTensors.write(p, tensors, Map.of("format", "pt"));
        Map<String, Tensor> back = SafeTensors.read(p);
        assertThat(back.keySet()).containsExactly("zeta.weight", "alpha", "idx", "mask", "empty");
        assertThat(back.get("zeta.weight").shape()).containsExactly(3, 2);
        assertThat(back.get("zeta.weight").toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(back.get("alpha").dtype()).isEqualTo(DType.FLOAT64);
        assertThat(back.get("alpha").item()).isEqualTo(Math.E);
        assertThat(back.get("idx").toLongArray()).containsExactly(Long.MIN_VALUE, 42);
        assertThat(back.get("mask").toBoolArray()).containsExactly(true, false, true);
        assertThat(back.get("empty").shape()).containsExactly(0, 5);
        assertThat(SafeTensors.readMetadata(p)).isEqualTo(Map.of("format", "pt"));
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLen % 8).isZero();
    }

    @Test
    void arraysRoundTripEveryDtype() throws IOException {
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        arrays.put("h", new NdArray("float16", new int[] {2}, new float[] {0.5f, -65504f}));
        arrays.put("i8", new NdArray("int8", new int[] {2}, new long[] {-128, 127}));
        arrays.put("u8", new NdArray("uint8", new int[] {1}, new long[] {255}));
        arrays.put("i16", new NdArray("int16", new int[] {1}, new long[] {-2}));
        arrays.put("i32", new NdArray("int32", new int[] {1}, new long[] {1 << 30}));
        arrays.put("s", new NdArray("float32", new int[] {}, new float[] {2f}));
        Path p = tmp.resolve("a.safetensors");
        SafeTensors.writeArrays(p, arrays, null);
        assertThat(SafeTensors.readArrays(p)).isEqualTo(arrays);
        assertThat(SafeTensors.readMetadata(p)).isEmpty();
    }

    /** A safetensors file with the given JSON header and data bytes. */
    private Path file(String name, String header, int dataBytes) throws IOException {
        return file(name, header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private Path file(String name, byte[] hb, int dataBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).array());
        out.write(hb);
        out.write(new byte[dataBytes]);
        Path p = tmp.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }

    /** Jackson's messages span lines and quote the header; ours are one line naming the file and the header. */
    @Test
    void malformedOrNonUtf8HeadersAreOneLineNamingTheHeader() throws IOException {
        String t = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        String[][] cases = {
            {"eof", "{\"a\":" + t + ",\n\"b\":{\n", "malformed JSON header"},
            {"control", "{\"a\u0001\u2028\":" + t + "}", "malformed JSON header"},
            {"comment", "{/* x */\"a\":" + t + "}", "malformed JSON header"},
            {"trailing", "{\"a\":" + t + "} {}", "malformed JSON header"},
        };
        for (String[] c : cases) {
            Path p = file(c[0] + ".safetensors", c[1], 4);
            assertThatThrownBy(() -> SafeTensors.read(p)).as(c[0]).isInstanceOf(FormatException.class)
                    .hasMessageStartingWith(p + ": " + c[2]).hasMessageNotContaining("\n").hasMessageNotContaining("\u0001")
                    .hasMessageNotContaining("\u2028");
        }
        byte[] latin1 = ("{\"caf\u00e9\":" + t + "}").getBytes(StandardCharsets.ISO_8859_1); // 0xe9 alone: not UTF-8
        Path p = file("latin1.safetensors", latin1, 4);
        assertThatThrownBy(() -> SafeTensors.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": header is not valid UTF-8 (at byte 5)");
    }

    @Test
    void rejectsBadOffsets() throws IOException {
        String[][] cases = {
            {"gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", "12", "'a'"},
            {"overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "8", "'b'"},
            {"count", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "8", "'a'"},
            {"past the end", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "8", "16"},
            {"reversed", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", "8", "'a'"},
            {"negative", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", "8", "'a'"},
            {"extra data", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "8", "8"},
            {"dtype", "{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "8", "'C64'"},
            {"shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "4", "'shape'"},
            {"offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", "4", "'data_offsets'"},
            {"metadata", "{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "4", "'k'"},
            {"duplicate", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "4", "a"},
            {"not json", "{\"a\": nope}", "0", "JSON"},
            {"not an object", "[1, 2, 3]", "0", "{"},
        };
        for (String[] c : cases) {
            Path p = file(c[0].replace(' ', '_') + ".safetensors", c[1], Integer.parseInt(c[2]));
            assertThatThrownBy(() -> SafeTensors.read(p)).as(c[0]).isInstanceOf(FormatException.class)
                    .hasMessageStartingWith(p + ": ").hasMessageContaining(c[3]).hasMessageNotContaining("\n");
        }
    }

    @Test
    void rejectsHeaderLengthBeyondTheFile() throws IOException {
        Path p = tmp.resolve("huge.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertThatThrownBy(() -> SafeTensors.read(p)).isInstanceOf(FormatException.class).hasMessageContaining("header length");
        Path q = tmp.resolve("neg.safetensors");
        Files.write(q, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        assertThatThrownBy(() -> SafeTensors.read(q)).isInstanceOf(FormatException.class).hasMessageContaining("18446744073709551615");
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        long size = Files.size(Fixtures.file("tensors.safetensors"));
        for (int cut : new int[] {1, 4, 100, (int) size - 200, (int) size - 5}) {
            Path p = Fixtures.truncated(tmp, "tensors.safetensors", cut);
            assertThatThrownBy(() -> SafeTensors.read(p)).as("cut " + cut).isInstanceOf(FormatException.class)
                    .hasMessageStartingWith(p + ": ");
        }
    }
}
