package trdetr.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.model.TrDetrConfig;
import trdetr.tensor.Tensor;
import trdetr.train.Checkpoint;

/**
 * A seeded fuzz campaign over every format we read (issue #20: nothing lost, nothing mixed, nothing silently wrong).
 *
 * <p>Each format starts from a small valid file, built here with our own writers or taken from the fixtures, and is
 * mutated: cut at random points, random bytes flipped, and lies written on purpose (shapes larger than the data or
 * of 10^12 elements, negative dimensions, wrong dtypes, header lengths, bad JSON, malicious pickles). Each mutant must
 * come out one of three clean ways:
 * <ul>
 *   <li>refused with a {@link FormatException} whose message is one line starting with the file;
 *   <li>read, equal to the original (the flip hit a byte the reader ignores);
 *   <li>read, altered, where the format has nothing to detect the change with (tensor bytes of an .npy, a
 *       safetensors file or a legacy torch file carry no checksum) — never for a zip: a member's bytes are covered by
 *       its CRC-32, its name by the copy in its local header.
 * </ul>
 * Anything else is unclean and fails the test: another exception type, a message not naming the file or spanning
 * lines, a required refusal not made, or more memory allocated than the file's size justifies (measured per read
 * with the thread's allocation counter, so a huge declared shape must be refused before it is allocated).
 * One summary line per format goes to stdout for the issue's record. (This replaces HostileInputTest: the same fixtures,
 * cuts, flips, inserted and removed bytes and random pickles, now judged against what the original reads as.)
 */
class FormatFuzzTest {
    @TempDir Path tmp;

    private static final long SEED = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a file into a value comparable with equals (tensors become NdArrays). */
    interface Reader {
        Object read(Path p) throws IOException;
    }

    /** A valid file of a format and what reading it gives. */
    private record Base(String name, byte[] bytes, Object value) {}

    /** The outcomes of one format's mutants. */
    private static final class Tally {
        final String format;
        int tried, refused, unchanged, altered, valid;
        final List<String> unclean = new ArrayList<>();

        Tally(String format) { this.format = format; }

        String summary() {
            return "fuzz " + format + ": " + tried + " tried, " + refused + " refused cleanly, " + unchanged + " read unchanged, "
                    + (altered > 0 ? altered + " read altered (bytes the format does not check), " : "")
                    + (valid > 0 ? valid + " read as valid (no original to compare: a lie no reader can tell, a valid random pickle), " : "")
                    + unclean.size() + " unclean";
        }
    }

    // ------------------------------------------------------------------ the campaign, per format

    @Test
    void npy() throws IOException {
        Tally t = new Tally("npy");
        List<Base> bases = new ArrayList<>();
        for (NdArray a : sampleArrays()) bases.add(base(a.dtype() + ".npy", npy(a), Npy::read));
        for (String f : new String[] {"f32.npy", "f32_be.npy", "i64_be.npy", "v2.npy", "v3.npy", "fortran.npy", "text.npy"}) bases.add(fixture(f, Npy::read));
        mutate(t, bases, Npy::read, false, 450);
        for (Lie lie : npyLies()) expect(t, "lie " + lie.what, lie.npy(), Npy::read, lie.mustRefuse ? "" : null, null);
        finish(t);
    }

    @Test
    void npzStored() throws IOException {
        npz("npz stored", false);
    }

    @Test
    void npzDeflated() throws IOException {
        npz("npz deflated", true);
    }

    private void npz(String format, boolean deflated) throws IOException {
        Tally t = new Tally(format);
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        for (NdArray a : sampleArrays()) arrays.put("m." + a.dtype(), a);
        Path p = tmp.resolve("base.npz");
        Npz.write(p, arrays, deflated);
        Base numpy = fixture(deflated ? "deflated.npz" : "stored.npz", Npz::read); // as NumPy writes it
        mutate(t, List.of(base("arrays.npz", Files.readAllBytes(p), Npz::read), numpy), Npz::read, true, 400);
        // The lies of the .npy members, inside well-formed members (their CRC-32 right): Npz bounds them by the member.
        for (Lie lie : npyLies()) {
            expect(t, "member lie " + lie.what, zip(deflated, "ok.npy", npy(sampleArrays().get(0)), "x.npy", lie.npy()), Npz::read,
                    lie.mustRefuse ? ": x: " : null, null);
        }
        finish(t);
    }

    @Test
    void torchZip() throws IOException {
        Tally t = new Tally("torch zip");
        Reader read = p -> canon(TorchCheckpoint.load(p));
        List<Base> bases = new ArrayList<>();
        for (String f : new String[] {"sd_zip.pt", "ckpt_zip.pth", "sd_archive.pt"}) bases.add(fixture(f, read));
        mutate(t, bases, read, true, 400);
        for (Object[] evil : maliciousPickles()) {
            expect(t, "pickle " + evil[1], zip(false, "archive/data.pkl", (byte[]) evil[0]), read, "'" + evil[1] + "'", null);
        }
        randomPickles(t, read, 1500);
        for (Object[] lie : tensorLies()) {
            byte[] storage = new byte[16];
            expect(t, "tensor lie " + lie[1], zip(false, "archive/data.pkl", (byte[]) lie[0], "archive/data/0", storage), read, "", null);
        }
        finish(t);
    }

    @Test
    void torchLegacy() throws IOException {
        Tally t = new Tally("torch legacy");
        Reader read = p -> canon(TorchCheckpoint.load(p));
        List<Base> bases = new ArrayList<>();
        for (String f : new String[] {"sd_legacy.pt", "ckpt_legacy.pth"}) bases.add(fixture(f, read));
        mutate(t, bases, read, false, 300);
        for (Object[] evil : maliciousPickles()) {
            expect(t, "legacy pickle " + evil[1], cat(LEGACY_PREAMBLE, (byte[]) evil[0]), read, "'" + evil[1] + "'", null);
        }
        finish(t);
    }

    @Test
    void safetensors() throws IOException {
        Tally t = new Tally("safetensors");
        Reader read = p -> SafeTensors.readAll(p);
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        for (NdArray a : sampleArrays()) arrays.put("t." + a.dtype(), a);
        Path p = tmp.resolve("base.safetensors");
        SafeTensors.writeArrays(p, arrays, Map.of("note", "fuzz base"));
        mutate(t, List.of(base("arrays.safetensors", Files.readAllBytes(p), read), fixture("tensors.safetensors", read)), read, false, 400);
        for (String[] lie : safetensorsLies()) expect(t, "lie " + lie[0], safetensorsWith(lie[1], 16), read, "", null);
        for (long n : new long[] {-1, Long.MAX_VALUE, 1L << 40, 100_000_001}) {
            byte[] b = Files.readAllBytes(p);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
            expect(t, "header length " + n, b, read, "header length", null);
        }
        finish(t);
    }

    /** Our training checkpoint: safetensors whose metadata holds a JSON document (train.Checkpoint). */
    @Test
    void trdetrCheckpoint() throws IOException {
        Tally t = new Tally("trdetr checkpoint");
        Reader read = p -> {
            Checkpoint.Loaded l = Checkpoint.load(p);
            return List.of(l.config(), canon(l.modelWeights()), canon(l.expAvg()), canon(l.expAvgSq()), l.adamwSteps(), l.progress());
        };
        Map<String, Object> meta = checkpointMeta();
        mutate(t, List.of(base("ckpt.safetensors", checkpointFile(meta), read)), read, false, 300);
        String[][] lies = {
            {"epochs_done", "\"three\""}, {"epochs_done", null}, {"best_metric", "[1]"}, {"adamw_steps", "{\"w\": \"x\"}"},
            {"adamw_steps", "[1, 2]"}, {"run_options", "7"}, {"model_options", "{\"hidden_dim\": \"big\"}"},
            {"model_options", "{\"hidden_dim\": 0}"}, {"model_options", "null"}, {"early_stop_count", "1e400"},
        };
        for (String[] lie : lies) {
            Map<String, Object> m = new LinkedHashMap<>(meta);
            if (lie[1] == null) m.remove(lie[0]);
            else m.put(lie[0], JSON.readValue(lie[1], Object.class));
            expect(t, "metadata " + lie[0] + "=" + lie[1], checkpointFile(m), read, "", null);
        }
        expect(t, "metadata not JSON", checkpointFile("{\"format\": 1,\n"), read, "", null);
        finish(t);
    }

    // ------------------------------------------------------------------ mutation and judgement

    /**
     * Random cuts and byte flips of the bases. For a zip, a flip inside a member's data must be refused (CRC-32), and
     * no flip may be read as different data: the names of the central directory are checked against the local headers.
     */
    private void mutate(Tally t, List<Base> bases, Reader reader, boolean zip, int trials) throws IOException {
        Random rnd = new Random(SEED ^ t.format.hashCode());
        for (int trial = 0; trial < trials; trial++) {
            Base b = bases.get(trial % bases.size());
            byte[] m;
            String what;
            boolean mustRefuse = false;
            if (trial % 4 == 0) {
                int cut = rnd.nextInt(b.bytes.length);
                m = Arrays.copyOf(b.bytes, cut);
                what = b.name + " cut to " + cut;
                mustRefuse = true; // every format we read knows its length
            } else if (trial % 4 == 1) { // bytes removed or inserted: everything after them shifts
                int at = rnd.nextInt(b.bytes.length), n = 1 + rnd.nextInt(8);
                if (trial % 8 == 1) {
                    n = Math.min(n, b.bytes.length - at);
                    m = cat(Arrays.copyOf(b.bytes, at), Arrays.copyOfRange(b.bytes, at + n, b.bytes.length));
                    what = b.name + " " + n + " bytes removed at " + at;
                } else {
                    byte[] ins = new byte[n];
                    rnd.nextBytes(ins);
                    m = cat(Arrays.copyOf(b.bytes, at), ins, Arrays.copyOfRange(b.bytes, at, b.bytes.length));
                    what = b.name + " " + n + " bytes inserted at " + at;
                }
            } else {
                m = b.bytes.clone();
                StringBuilder at = new StringBuilder();
                List<long[]> members = zip ? memberData(b.bytes) : List.of();
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                    int i = rnd.nextInt(m.length);
                    m[i] ^= (byte) (1 + rnd.nextInt(255));
                    at.append(' ').append(i);
                    for (long[] r : members) mustRefuse |= i >= r[0] && i < r[1];
                }
                what = b.name + " flipped at" + at;
            }
            // A read may equal the original whatever happened; an altered read only where the format has no checksum.
            expect(t, what, m, reader, mustRefuse ? "" : null, b.value, !zip);
        }
    }

    private void expect(Tally t, String what, byte[] mutant, Reader reader, String refusalMustContain, Object original) throws IOException {
        expect(t, what, mutant, reader, refusalMustContain, original, refusalMustContain == null);
    }

    /**
     * Reads one mutant and judges it.
     *
     * @param refusalMustContain null: refusing is optional; else it must be refused with a message containing this
     * @param original           what the unmutated file reads as (null: none; any read then counts as altered)
     * @param mayAlter           whether a read that differs from the original is acceptable
     */
    private void expect(Tally t, String what, byte[] mutant, Reader reader, String refusalMustContain, Object original, boolean mayAlter)
            throws IOException {
        t.tried++;
        Path p = tmp.resolve("mutant-" + t.tried + ".bin");
        Files.write(p, mutant);
        long before = allocatedBytes();
        String problem = null, outcome = null;
        try {
            Object v = reader.read(p);
            if (original != null && original.equals(v)) {
                if (refusalMustContain != null && !refusalMustContain.isEmpty()) problem = "read, though it must be refused";
                else outcome = "unchanged";
            } else if (refusalMustContain != null || !mayAlter) {
                problem = "read as different data, though it must be refused";
            } else {
                outcome = original == null ? "valid" : "altered";
            }
        } catch (FormatException e) {
            String msg = e.getMessage();
            if (!msg.startsWith(p + ": ")) problem = "message does not start with the file: " + msg;
            else if (msg.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029)) problem = "message spans lines: " + msg;
            else if (refusalMustContain != null && !msg.contains(refusalMustContain)) problem = "message lacks " + refusalMustContain + ": " + msg;
            else outcome = "refused";
        } catch (Throwable e) { // OutOfMemoryError and StackOverflowError included: each is a finding
            problem = "threw " + e;
        }
        long allocated = allocatedBytes() - before;
        long allowed = 16L * mutant.length + (16 << 20);
        if (problem == null && allocated > allowed) problem = "allocated " + allocated + " bytes for a file of " + mutant.length;
        if (problem != null) {
            t.unclean.add(what + ": " + problem);
        } else {
            switch (outcome) {
                case "refused" -> t.refused++;
                case "unchanged" -> t.unchanged++;
                case "altered" -> t.altered++;
                default -> t.valid++;
            }
        }
        Files.delete(p);
    }

    private static void finish(Tally t) {
        System.out.println(t.summary());
        assertThat(t.unclean).as(t.summary()).isEmpty();
    }

    private static long allocatedBytes() {
        long n = ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
        if (n < 0) throw new IllegalStateException("this JVM does not count allocations: the memory bound would go unchecked");
        return n;
    }

    private Base fixture(String name, Reader reader) throws IOException {
        return base(name, Files.readAllBytes(Fixtures.file(name)), reader);
    }

    private Base base(String name, byte[] bytes, Reader reader) throws IOException {
        Path p = tmp.resolve("base-" + name);
        Files.write(p, bytes);
        return new Base(name, bytes, reader.read(p));
    }

    /** Tensors as NdArrays, recursively, so that what two reads give compares with equals. */
    private static Object canon(Object o) {
        if (o instanceof Tensor t) return NdArray.of(t);
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> r = new LinkedHashMap<>();
            m.forEach((k, v) -> r.put(canon(k), canon(v)));
            return r;
        }
        if (o instanceof List<?> l) return l.stream().map(FormatFuzzTest::canon).toList();
        if (o instanceof byte[] b) return HexFormat.of().formatHex(b);
        return o;
    }

    /** [start, end) of each member's data in a zip archive, from its central directory and local headers. */
    static List<long[]> memberData(byte[] zip) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = zip.length - 22;
        while (b.getInt(eocd) != 0x06054b50) eocd--;
        int count = b.getShort(eocd + 10) & 0xffff;
        int cen = b.getInt(eocd + 16);
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long csize = b.getInt(cen + 20) & 0xffffffffL;
            int loc = b.getInt(cen + 42);
            long start = loc + 30L + (b.getShort(loc + 26) & 0xffff) + (b.getShort(loc + 28) & 0xffff);
            out.add(new long[] {start, start + csize});
            cen += 46 + (b.getShort(cen + 28) & 0xffff) + (b.getShort(cen + 30) & 0xffff) + (b.getShort(cen + 32) & 0xffff);
        }
        return out;
    }

    // ------------------------------------------------------------------ valid files

    /** One array per dtype, of ranks 0 to 3, with values that every dtype holds exactly. */
    private static List<NdArray> sampleArrays() {
        return List.of(
                new NdArray("float32", new int[] {3, 4}, new float[] {0, 1, -2, 3.5f, 4, 5, 6, 7, 8, 9, 10, 1e-3f}),
                new NdArray("float16", new int[] {2, 1, 3}, new float[] {0.5f, -1, 1000, 0, 2, -0.25f}),
                new NdArray("float64", new int[] {2}, new double[] {Math.PI, -1e300}),
                new NdArray("int64", new int[] {4}, new long[] {-1, 0, 1L << 53, 42}),
                new NdArray("int32", new int[] {2, 2}, new long[] {-7, 7, 1 << 30, 0}),
                new NdArray("int16", new int[] {3}, new long[] {-300, 300, 5}),
                new NdArray("int8", new int[] {}, new long[] {-128}),
                new NdArray("uint8", new int[] {5}, new long[] {104, 101, 108, 108, 111}),
                new NdArray("bool", new int[] {2, 2}, new boolean[] {true, false, false, true}));
    }

    private static byte[] npy(NdArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, a);
        return out.toByteArray();
    }

    /** A zip archive of (name, bytes) pairs, stored or deflated, with correct CRC-32s. */
    private static byte[] zip(boolean deflated, Object... members) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(buf)) {
            for (int i = 0; i < members.length; i += 2) {
                byte[] data = (byte[]) members[i + 1];
                ZipEntry e = new ZipEntry((String) members[i]);
                if (!deflated) {
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(data.length);
                    e.setCompressedSize(data.length);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(data);
                z.closeEntry();
            }
        }
        return buf.toByteArray();
    }

    private static Map<String, Object> checkpointMeta() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", 1);
        meta.put("model_options", TrDetrConfig.released().toOptions());
        meta.put("epochs_done", 3);
        meta.put("best_metric", 0.25);
        meta.put("early_stop_count", 1);
        meta.put("run_options", new java.util.TreeMap<>(Map.of("lr", 1e-4, "seed", 2018))); // ordered: the same bytes every run
        meta.put("adamw_steps", Map.of("w", 30));
        meta.put("adamw_lr", 1e-4);
        return meta;
    }

    private byte[] checkpointFile(Map<String, Object> meta) throws IOException {
        return checkpointFile(JSON.writeValueAsString(meta));
    }

    /** A training checkpoint as Checkpoint.save lays it out, with one weight and its two AdamW moments. */
    private byte[] checkpointFile(String metaJson) throws IOException {
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        arrays.put("model.w", new NdArray("float32", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        arrays.put("adamw.exp_avg.w", new NdArray("float32", new int[] {2, 3}, new float[] {0, 0.5f, 0, 0, 0, 1}));
        arrays.put("adamw.exp_avg_sq.w", new NdArray("float32", new int[] {2, 3}, new float[] {0, 0.25f, 0, 0, 0, 1}));
        Path p = tmp.resolve("ckpt-" + System.nanoTime() + ".safetensors");
        SafeTensors.writeArrays(p, arrays, Map.of("trdetr", metaJson));
        byte[] b = Files.readAllBytes(p);
        Files.delete(p);
        return b;
    }

    // ------------------------------------------------------------------ lies

    /** An .npy header (and data bytes) that lies; mustRefuse where no reading of it can be right. */
    private record Lie(String what, String header, int version, int dataBytes, boolean mustRefuse, int declaredLength) {
        Lie(String what, String header, int version, int dataBytes, boolean mustRefuse) {
            this(what, header, version, dataBytes, mustRefuse, -1);
        }

        byte[] npy() {
            byte[] hb = header.getBytes(StandardCharsets.ISO_8859_1); // version 3 declares UTF-8: a lone é is a lie
            int len = declaredLength >= 0 ? declaredLength : hb.length;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
            if (version == 1) out.writeBytes(new byte[] {(byte) len, (byte) (len >>> 8)});
            else out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(len).array());
            out.writeBytes(hb);
            out.writeBytes(new byte[dataBytes]);
            return out.toByteArray();
        }
    }

    private static Lie lie(String what, String dict, int dataBytes, boolean mustRefuse) {
        return new Lie(what, dict + "\n", 1, dataBytes, mustRefuse);
    }

    private static List<Lie> npyLies() {
        String f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
        List<Lie> l = new ArrayList<>(List.of(
                lie("shape larger than the data", f4 + "(100,), }", 12, true),
                lie("10^12 elements", f4 + "(1000000, 1000000), }", 16, true),
                lie("10^12 elements in one dimension", f4 + "(1000000000000,), }", 16, true),
                lie("2^31 elements", f4 + "(2147483648,), }", 16, true),
                lie("2^30 floats (4 GiB)", f4 + "(1073741824,), }", 16, true),
                lie("2^28 doubles, 16 bytes present", "{'descr': '<f8', 'fortran_order': True, 'shape': (16384, 16384), }", 16, true),
                lie("negative dimension", f4 + "(-4,), }", 16, true),
                lie("negative and positive", f4 + "(3, -4), }", 48, true),
                lie("a float dimension", f4 + "(2.5,), }", 16, true),
                lie("dimension too long", f4 + "(99999999999999999999,), }", 16, true),
                lie("dtype wider than the data", "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", 16, true),
                lie("dtype narrower than the data", "{'descr': '<i2', 'fortran_order': False, 'shape': (4,), }", 16, false),
                lie("complex dtype", "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", 16, true),
                lie("object dtype", "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16, true),
                lie("unicode dtype", "{'descr': '<U4', 'fortran_order': False, 'shape': (1,), }", 16, true),
                lie("structured dtype", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", 16, true),
                lie("fortran_order not a bool", f4.replace("False", "1") + "(4,), }", 16, true),
                lie("no shape", "{'descr': '<f4', 'fortran_order': False, }", 16, true),
                lie("not a dict", "[1, 2, 3]", 16, true),
                lie("nested deeply", f4 + "(" + "(".repeat(5000) + "), }", 16, true),
                lie("unterminated string", "{'descr': '<f4", 16, true),
                lie("empty header", "", 16, true)));
        l.add(new Lie("header length past the data", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }" + " ".repeat(40000), 1, 0, true));
        l.add(new Lie("version 2, huge header length", "{}", 2, 16, true, Integer.MAX_VALUE));
        l.add(new Lie("version 3 header not UTF-8", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), '\u00e9': 1}", 3, 16, true));
        l.add(new Lie("version 9", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 9, 16, true));
        return l;
    }

    private static String[][] safetensorsLies() {
        String t = "\"dtype\":\"F32\",\"shape\":%s,\"data_offsets\":%s";
        return new String[][] {
            {"shape larger than the data", "{\"a\":{" + String.format(t, "[100]", "[0,16]") + "}}"},
            {"10^12 elements", "{\"a\":{" + String.format(t, "[1000000,1000000]", "[0,16]") + "}}"},
            {"10^12 elements, offsets to match", "{\"a\":{" + String.format(t, "[1000000,1000000]", "[0,4000000000000]") + "}}"},
            {"2^31 elements", "{\"a\":{" + String.format(t, "[2147483648]", "[0,8589934592]") + "}}"},
            {"negative dimension", "{\"a\":{" + String.format(t, "[-4]", "[0,16]") + "}}"},
            {"dimension overflowing a long", "{\"a\":{" + String.format(t, "[99999999999999999999999]", "[0,16]") + "}}"},
            {"offsets past the end", "{\"a\":{" + String.format(t, "[4]", "[16,32]") + "}}"},
            {"huge offsets", "{\"a\":{" + String.format(t, "[4]", "[9223372036854775792,9223372036854775807]") + "}}"},
            {"dtype wider than the data", "{\"a\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,16]}}"},
            {"unknown dtype", "{\"a\":{\"dtype\":\"C64\",\"shape\":[2],\"data_offsets\":[0,16]}}"},
            {"dtype not a string", "{\"a\":{\"dtype\":7,\"shape\":[4],\"data_offsets\":[0,16]}}"},
            {"tensor not an object", "{\"a\":[1,2]}"},
            {"metadata not strings", "{\"__metadata__\":{\"k\":[1]}}"},
            {"unterminated", "{\"a\":{"},
            {"nested deeply", "{\"a\":" + "[".repeat(100_000) + "}"},
            {"not JSON", "{a: 1}"},
            {"duplicate key", "{\"a\":{" + String.format(t, "[2]", "[0,8]") + "},\"a\":{" + String.format(t, "[2]", "[8,16]") + "}}"},
        };
    }

    private static byte[] safetensorsWith(String header, int dataBytes) {
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        return cat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).array(), hb, new byte[dataBytes]);
    }

    /** Pickles that would run something if unpickled by Python; each must be refused naming its global. */
    private static List<Object[]> maliciousPickles() {
        byte[] cmd = pickleString("touch /tmp/trdetr-fuzz-pwned");
        return List.of(
                new Object[] {cat(bytes(0x80, 2), ascii("cos\nsystem\n"), cmd, bytes(0x85), ascii("R.")), "os.system"},
                new Object[] {cat(bytes(0x80, 2), ascii("cposix\nsystem\n"), cmd, bytes(0x85), ascii("R.")), "posix.system"},
                new Object[] {cat(bytes(0x80, 2), ascii("cbuiltins\neval\n"), pickleString("__import__('os')"), bytes(0x85), ascii("R.")), "builtins.eval"},
                new Object[] {cat(bytes(0x80, 2), ascii("c__builtin__\nexec\n"), cmd, bytes(0x85), ascii("R.")), "__builtin__.exec"},
                new Object[] {cat(bytes(0x80, 2), ascii("csubprocess\nPopen\n"), ascii("("), cmd, ascii("ltR.")), "subprocess.Popen"},
                new Object[] {cat(bytes(0x80, 4, 0x8c, 2), ascii("os"), bytes(0x8c, 6), ascii("system"), bytes(0x93), cmd, bytes(0x85), ascii("R.")), "os.system"},
                // hidden inside an allowed structure: an OrderedDict whose value is the call
                new Object[] {cat(bytes(0x80, 2), ascii("ccollections\nOrderedDict\n)R"), pickleString("k"),
                        ascii("cbuiltins\ngetattr\n"), ascii("("), ascii("cbuiltins\nopen\n"), pickleString("read"), ascii("tRs.")), "builtins.getattr"});
    }

    /** Random pickles drawn mostly from the opcodes (protocol 2, ending in STOP) as data.pkl: all must fail cleanly or read. */
    private void randomPickles(Tally t, Reader read, int trials) throws IOException {
        byte[] ops = ascii("().0123NIJKMXUTCBGabcdeghjlpqrstu}]N\u0080\u0081\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f"
                + "\u0090\u0091\u0092\u0093\u0094\u0095QR");
        Random rnd = new Random(SEED);
        for (int trial = 0; trial < trials; trial++) {
            byte[] pkl = new byte[2 + rnd.nextInt(40)];
            pkl[0] = (byte) 0x80;
            pkl[1] = 2;
            for (int i = 2; i < pkl.length; i++) pkl[i] = rnd.nextInt(3) == 0 ? (byte) rnd.nextInt(256) : ops[rnd.nextInt(ops.length)];
            pkl[pkl.length - 1] = '.';
            expect(t, "random pickle " + HexFormat.of().formatHex(pkl), zip(false, "r/data.pkl", pkl), read, null, null, true);
        }
    }

    /** Tensors whose size, offset or storage lie; the storage record holds 16 bytes. */
    private static List<Object[]> tensorLies() {
        return List.of(
                new Object[] {tensorPickle(1_000_000_000_000L, 0, 4, 1), "storage of 10^12 elements"},
                new Object[] {tensorPickle(4, 0, 1_000_000_000L, 1), "size of 10^9"},
                new Object[] {tensorPickle(4, 0, -4, 1), "negative size"},
                new Object[] {tensorPickle(4, -1, 4, 1), "negative offset"},
                new Object[] {tensorPickle(4, 0, 4, -1), "negative stride"},
                new Object[] {tensorPickle(4, 0, 1L << 40, 0), "2^40 elements of stride 0"},
                new Object[] {tensorPickle(-1, 0, 0, 1), "negative storage size"});
    }

    /** {'w': _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', numel), offset, (size,), (stride,), False, OrderedDict())} */
    private static byte[] tensorPickle(long numel, long offset, long size, long stride) {
        return cat(bytes(0x80, 2), ascii("}"), pickleString("w"), ascii("ctorch._utils\n_rebuild_tensor_v2\n("),
                ascii("("), pickleString("storage"), ascii("ctorch\nFloatStorage\n"), pickleString("0"), pickleString("cpu"), pickleLong(numel),
                ascii("tQ"), pickleLong(offset), pickleLong(size), bytes(0x85), pickleLong(stride), bytes(0x85, 0x89),
                ascii("ccollections\nOrderedDict\n)RtRs."));
    }

    /** The legacy stream's first three pickles: the magic number, protocol 1001, an empty sys_info. */
    private static final byte[] LEGACY_PREAMBLE = cat(bytes(0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19),
            ascii("."), bytes(0x80, 2, 'M', 0xe9, 0x03), ascii("."), bytes(0x80, 2), ascii("}."));

    private static byte[] pickleString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return cat(ascii("X"), ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array(), b);
    }

    /** LONG1 with 8 bytes: any long. */
    private static byte[] pickleLong(long v) {
        return cat(bytes(0x8a, 8), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
