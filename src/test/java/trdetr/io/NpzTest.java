package trdetr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpzTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"stored.npz", "deflated.npz"})
    void readsWhatNumPyWrote(String name) throws IOException {
        Map<String, NdArray> arrays = Npz.read(Fixtures.file(name));
        Fixtures.assertMatches(Fixtures.expected("npz", name), arrays, name);
        assertThat(arrays.get("meta.config").utf8()).isEqualTo("{\"hidden_dim\": 256, \"name\": \"trdetr\"}");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writeThenReadRoundTrips(boolean compressed) throws IOException {
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        arrays.put("z.last", new NdArray("float32", new int[] {2, 2}, new float[] {1, 2, 3, 4}));
        arrays.put("a.first", new NdArray("int64", new int[] {3}, new long[] {-1, 0, 1L << 53}));
        arrays.put("m", new NdArray("bool", new int[] {}, new boolean[] {true}));
        arrays.put("d", new NdArray("float64", new int[] {0, 4}, new double[] {}));
        arrays.put("t", new NdArray("uint8", new int[] {2}, new long[] {104, 105}));
        Path p = tmp.resolve("out.npz");
        Files.writeString(p, "old contents");
        Npz.write(p, arrays, compressed);
        Map<String, NdArray> back = Npz.read(p);
        assertThat(back.keySet()).containsExactly("z.last", "a.first", "m", "d", "t");
        assertThat(back).isEqualTo(arrays);
        try (ZipFile z = new ZipFile(p.toFile())) {
            assertThat(z.getEntry("z.last.npy").getMethod()).isEqualTo(compressed ? ZipEntry.DEFLATED : ZipEntry.STORED);
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("out.npz"); // no temporary left
        }
    }

    @Test
    void rejectsTruncatedArchives() throws IOException {
        for (String name : new String[] {"stored.npz", "deflated.npz"}) {
            for (int cut : new int[] {1, 30, 200, 600}) {
                Path p = Fixtures.truncated(tmp, name, cut);
                assertThatThrownBy(() -> Npz.read(p)).as(name + " cut " + cut).isInstanceOf(FormatException.class)
                        .hasMessageStartingWith(p + ": ");
            }
        }
    }

    @Test
    void rejectsMembersThatAreNotNpy() throws IOException {
        Path p = tmp.resolve("odd.npz");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry("readme.txt"));
            z.write("hello".getBytes());
            z.closeEntry();
        }
        assertThatThrownBy(() -> Npz.read(p)).isInstanceOf(FormatException.class).hasMessageContaining("'readme.txt'");
    }

    @Test
    void corruptMemberNamesTheKey() throws IOException {
        Path p = tmp.resolve("bad.npz");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry("vid_feat.npy"));
            z.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 10, 0, '{', '}'});
            z.closeEntry();
        }
        assertThatThrownBy(() -> Npz.read(p)).isInstanceOf(FormatException.class).hasMessageStartingWith(p + ": vid_feat: ");
    }

    /** ZipFile does not check CRC-32: without CheckedZip.read a flipped byte in a stored member loads as data. */
    @Test
    void refusesAFlippedByteInAStoredMember() throws IOException {
        float[] values = new float[64];
        for (int i = 0; i < values.length; i++) values[i] = i + 0.5f;
        Path p = tmp.resolve("stored.npz");
        Npz.write(p, Map.of("w", new NdArray("float32", new int[] {8, 8}, values)), false);
        byte[] b = Files.readAllBytes(p);
        b[indexOf(b, IoSupport.encode(new NdArray("float32", new int[] {64}, values), IoSupport.Elem.F32, java.nio.ByteOrder.LITTLE_ENDIAN)) + 100] ^= 1;
        Files.write(p, b);
        assertThatThrownBy(() -> Npz.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": member 'w.npy': CRC-32 mismatch (the file is corrupt)");
    }

    /** ZipFile names members from the central directory alone: a flipped byte there would rename an array silently. */
    @Test
    void refusesAMemberRenamedInTheCentralDirectory() throws IOException {
        Path p = tmp.resolve("renamed.npz");
        Npz.write(p, Map.of("w", new NdArray("float32", new int[] {2}, new float[] {1, 2})), false);
        byte[] b = Files.readAllBytes(p);
        String text = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        b[text.lastIndexOf("w.npy")] = 'v'; // the last copy of the name is the central directory's
        Files.write(p, b);
        assertThatThrownBy(() -> Npz.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": member 'v.npy': its local header names it 'w.npy', the central directory 'v.npy' (the file is corrupt)");
    }

    /** Every byte of a deflated member, flipped: refused naming the member, or (a bit deflate ignores) read unchanged. */
    @Test
    void refusesFlippedBytesInADeflatedMember() throws IOException {
        Map<String, NdArray> arrays = Map.of("w", new NdArray("int64", new int[] {40}, java.util.stream.LongStream.range(0, 40).map(i -> i * i).toArray()));
        Path p = tmp.resolve("deflated.npz");
        Npz.write(p, arrays, true);
        byte[] orig = Files.readAllBytes(p);
        long csize;
        try (ZipFile z = new ZipFile(p.toFile())) {
            csize = z.getEntry("w.npy").getCompressedSize();
        }
        int start = 30 + (orig[26] & 0xff) + (orig[28] & 0xff); // the first local header is at 0: name and extra lengths
        int refused = 0;
        for (int i = start; i < start + csize; i++) {
            byte[] b = orig.clone();
            b[i] ^= 0x10;
            Files.write(p, b);
            try {
                assertThat(Npz.read(p)).as("flip at " + i).isEqualTo(arrays);
            } catch (FormatException e) {
                assertThat(e).hasMessageStartingWith(p + ": ").hasMessageContaining("w.npy");
                refused++;
            }
        }
        assertThat(refused).isGreaterThan((int) csize / 2);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void rejectsFilesThatAreNotZips() throws IOException {
        Path p = tmp.resolve("x.npz");
        Files.writeString(p, "definitely not a zip archive");
        assertThatThrownBy(() -> Npz.read(p)).isInstanceOf(FormatException.class).hasMessageStartingWith(p + ": not a zip archive");
    }
}
