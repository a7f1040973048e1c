package trdetr.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.io.IoSupport.Elem;
import trdetr.tensor.Tensor;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * {"NAME": {"dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END]}, ..., "__metadata__": {"k": "v"}},
 * then the tensors' little-endian bytes, back to back. Reading checks what the reference implementation checks:
 * the header lies within the file, the offsets tile the data area exactly, and each tensor's byte count is
 * numel × itemsize.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** The reference implementation's limit on the header size. */
    private static final long MAX_HEADER = 100_000_000;
    private static final String METADATA = "__metadata__";

    /** Tensors and the string metadata of one file. Arrays are in data order (the order they were written). */
    public record Contents(Map<String, NdArray> arrays, Map<String, String> metadata) {}

    /** The tensors of a file as CPU tensors, in data order. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        readAll(file).arrays().forEach((k, v) -> out.put(k, v.toTensor()));
        return out;
    }

    /** The tensors of a file as host arrays, in data order (F16 and BF16 become float32 values). */
    public static Map<String, NdArray> readArrays(Path file) throws IOException {
        return readAll(file).arrays();
    }

    /** The __metadata__ of a file (empty when it has none). */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parseHeader(file, ch).metadata;
        }
    }

    public static Contents readAll(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = parseHeader(file, ch);
            Map<String, NdArray> arrays = new LinkedHashMap<>();
            for (Info t : h.tensors) {
                int nbytes = (int) (t.end - t.begin);
                ByteBuffer buf = ByteBuffer.allocate(nbytes);
                long pos = h.dataStart + t.begin;
                while (buf.hasRemaining()) {
                    int r = ch.read(buf, pos + buf.position());
                    if (r < 0) throw new FormatException(file, "tensor " + FormatException.quote(t.name) + ": truncated data");
                }
                Object data = IoSupport.decode(buf.array(), 0, t.numel, t.elem, ByteOrder.LITTLE_ENDIAN);
                arrays.put(t.name, new NdArray(t.elem.dtype, t.shape, data));
            }
            return new Contents(Collections.unmodifiableMap(arrays), h.metadata);
        }
    }

    // ------------------------------------------------------------------ header

    private record Info(String name, Elem elem, int[] shape, int numel, long begin, long end) {}

    private record Header(List<Info> tensors, Map<String, String> metadata, long dataStart) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static Header parseHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) throw new FormatException(file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, file);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > size - 8) {
            throw new FormatException(file, "header length " + Long.toUnsignedString(n) + " runs past the end of the file (" + size + " bytes)");
        }
        if (n > MAX_HEADER) throw new FormatException(file, "header length " + n + " exceeds the limit of " + MAX_HEADER + " bytes");
        if (n < 2) throw new FormatException(file, "header length " + n + " is too short for a JSON object");
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8, file);
        if (hb.get(0) != '{') throw new FormatException(file, "header does not start with '{'");
        JsonNode root;
        try {
            root = JSON.readTree(Utf8.decode(hb.array(), 0, hb.capacity()));
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "header is " + e.getMessage(), e);
        } catch (JsonProcessingException e) { // Jackson's message spans lines and names no file: keep its first part
            throw new FormatException(file, "malformed JSON header: " + FormatException.jsonReason(e), e);
        }
        if (!(root instanceof ObjectNode obj)) throw new FormatException(file, "header is not a JSON object");

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Info> tensors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals(METADATA)) {
                if (!v.isObject()) throw new FormatException(file, "__metadata__ is not an object of strings");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = m.next();
                    if (!e.getValue().isTextual()) {
                        throw new FormatException(file, "__metadata__ " + FormatException.quote(e.getKey()) + " is not a string");
                    }
                    metadata.put(e.getKey(), e.getValue().textValue());
                }
                continue;
            }
            tensors.add(info(file, name, v));
        }
        long dataSize = size - 8 - n;
        List<Info> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long expected = 0;
        for (Info t : sorted) {
            if (t.begin != expected) {
                throw new FormatException(file, "tensor " + FormatException.quote(t.name) + ": data_offsets [" + t.begin + ", " + t.end + "] "
                        + (t.begin < expected ? "overlap the previous tensor" : "leave a gap") + " (expected to begin at " + expected + ")");
            }
            expected = t.end;
        }
        if (expected != dataSize) {
            throw new FormatException(file, (expected > dataSize ? "truncated: the tensors need " : "the tensors cover ") + expected
                    + " data bytes but the file holds " + dataSize);
        }
        return new Header(sorted, Collections.unmodifiableMap(metadata), 8 + n);
    }

    private static Info info(Path file, String name, JsonNode v) {
        String key = "tensor " + FormatException.quote(name);
        if (!v.isObject()) throw new FormatException(file, key + " is not an object");
        JsonNode dt = v.get("dtype");
        JsonNode sh = v.get("shape");
        JsonNode off = v.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw new FormatException(file, key + ": field 'dtype' is missing or not a string");
        if (sh == null || !sh.isArray()) throw new FormatException(file, key + ": field 'shape' is missing or not an array");
        if (off == null || !off.isArray() || off.size() != 2) throw new FormatException(file, key + ": field 'data_offsets' is not [begin, end]");
        Elem elem = switch (dt.textValue()) {
            case "F16" -> Elem.F16;
            case "BF16" -> Elem.BF16;
            case "F32" -> Elem.F32;
            case "F64" -> Elem.F64;
            case "I64" -> Elem.I64;
            case "I32" -> Elem.I32;
            case "I16" -> Elem.I16;
            case "I8" -> Elem.I8;
            case "U8" -> Elem.U8;
            case "BOOL" -> Elem.BOOL;
            default -> throw new FormatException(file, key + ": unsupported dtype " + FormatException.quote(dt.textValue()));
        };
        int[] shape = new int[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.longValue() < 0 || d.longValue() > Integer.MAX_VALUE) {
                throw new FormatException(file, key + ": field 'shape' has a bad dimension " + d);
            }
            shape[i] = (int) d.longValue();
            long cap = Long.MAX_VALUE / 16; // saturate instead of overflowing; compared with 2^31 below
            numel = shape[i] == 0 ? 0 : numel > cap / shape[i] ? cap : numel * shape[i];
        }
        long[] be = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = off.get(i);
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
                throw new FormatException(file, key + ": field 'data_offsets' has a bad offset " + o);
            }
            be[i] = o.longValue();
        }
        if (be[1] < be[0]) throw new FormatException(file, key + ": data_offsets [" + be[0] + ", " + be[1] + "] end before they begin");
        if (numel > Integer.MAX_VALUE) throw new FormatException(file, key + ": shape " + java.util.Arrays.toString(shape) + " has more than 2^31 elements");
        long nbytes = numel * elem.size;
        if (be[1] - be[0] != nbytes) {
            throw new FormatException(file, key + ": data_offsets [" + be[0] + ", " + be[1] + "] hold " + (be[1] - be[0]) + " bytes but shape "
                    + java.util.Arrays.toString(shape) + " of " + dt.textValue() + " needs " + nbytes);
        }
        return new Info(name, elem, shape, (int) numel, be[0], be[1]);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) throw new FormatException(file, "truncated header");
        }
    }

    // ------------------------------------------------------------------ writing

    /** Writes tensors (in the map's order) and optional string metadata, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        tensors.forEach((k, t) -> arrays.put(k, NdArray.of(t)));
        writeArrays(file, arrays, metadata);
    }

    /** Writes host arrays (in the map's order; float16 arrays as F16) and optional string metadata, atomically. */
    public static void writeArrays(Path file, Map<String, NdArray> arrays, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA);
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, NdArray> a : arrays.entrySet()) {
            if (a.getKey().equals(METADATA)) throw new IllegalArgumentException("a tensor cannot be named " + METADATA);
            Elem e = Elem.ofDtype(a.getValue().dtype());
            ObjectNode t = header.putObject(a.getKey());
            t.put("dtype", switch (e) {
                case F16 -> "F16";
                case F32 -> "F32";
                case F64 -> "F64";
                case I8 -> "I8";
                case U8 -> "U8";
                case I16 -> "I16";
                case I32 -> "I32";
                case I64 -> "I64";
                case BOOL -> "BOOL";
                default -> throw new AssertionError(e);
            });
            ArrayNode shape = t.putArray("shape");
            for (int d : a.getValue().shape()) shape.add(d);
            long nbytes = (long) a.getValue().numel() * e.size;
            t.putArray("data_offsets").add(offset).add(offset + nbytes);
            offset += nbytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] hb = new byte[padded];
        java.util.Arrays.fill(hb, (byte) ' ');
        System.arraycopy(json, 0, hb, 0, json.length);
        DurableFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(hb);
            for (NdArray a : arrays.values()) out.write(IoSupport.encode(a, Elem.ofDtype(a.dtype()), ByteOrder.LITTLE_ENDIAN));
        });
    }
}
