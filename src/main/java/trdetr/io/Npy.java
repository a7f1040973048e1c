package trdetr.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.io.IoSupport.Elem;

/**
 * NumPy's .npy format: the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), a Python-literal header dict
 * {'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }, then the raw elements in C order (or, when
 * 'fortran_order' is True, in column-major order, as NumPy saves np.asfortranarray(a) and many transposes: those are
 * reordered to C order on reading). The header is parsed by a small literal parser (nothing is evaluated); object
 * and structured arrays are rejected. Writing produces version 1.0, little-endian, C order, as np.save does.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** np.load refuses headers above 10000 bytes by default; allow more, but not without bound. */
    private static final int MAX_HEADER = 1 << 20;

    /** Reads a .npy file. */
    public static NdArray read(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(file, in, null, size);
        }
    }

    /**
     * Reads one .npy document from a stream (exactly its bytes are consumed).
     *
     * @param file the file the stream comes from, for messages
     * @param key  the entry name within that file (an .npz member), for messages; null for a plain .npy
     */
    public static NdArray read(Path file, InputStream in, String key) throws IOException {
        return read(file, in, key, -1);
    }

    /** As {@link #read(Path, InputStream, String)}, knowing that at most {@code available} bytes follow (-1: unknown). */
    static NdArray read(Path file, InputStream in, String key, long available) throws IOException {
        String where = key == null ? "" : key + ": ";
        byte[] pre = readSome(in, 8, file, where + "npy preamble");
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre[i] != MAGIC[i]) throw new FormatException(file, where + "not a .npy file (magic \\x93NUMPY missing)");
        }
        int major = pre[6] & 0xff;
        int minor = pre[7] & 0xff;
        long headerLen;
        int lenBytes;
        if (major == 1 && minor == 0) {
            lenBytes = 2;
            byte[] b = readSome(in, 2, file, where + "npy header length");
            headerLen = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        } else if ((major == 2 || major == 3) && minor == 0) {
            lenBytes = 4;
            byte[] b = readSome(in, 4, file, where + "npy header length");
            headerLen = (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
        } else {
            throw new FormatException(file, where + "unsupported .npy version " + major + "." + minor + " (1.0, 2.0 and 3.0 are read)");
        }
        long consumed = 8 + lenBytes;
        if (headerLen > MAX_HEADER || (available >= 0 && headerLen > available - consumed)) {
            throw new FormatException(file, where + "header length " + headerLen + " runs past the end of the data"
                    + (available >= 0 ? " (" + (available - consumed) + " bytes left)" : ""));
        }
        byte[] hb = IoSupport.readExactly(in, headerLen, file, where + "npy header");
        consumed += headerLen;
        String header;
        try {
            header = major == 3 ? Utf8.decode(hb, 0, hb.length) : new String(hb, StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, where + "npy header is " + e.getMessage());
        }
        Header h = parseHeader(header, file, where);

        long n = 1;
        boolean empty = false;
        for (int d : h.shape) {
            if (d == 0) empty = true;
            else if ((n *= d) > Integer.MAX_VALUE) {
                throw new FormatException(file, where + "field 'shape' " + java.util.Arrays.toString(h.shape) + " has more than 2^31 elements");
            }
        }
        if (empty) n = 0;
        long nbytes = n * h.elem.size;
        if (available >= 0 && nbytes > available - consumed) {
            throw new FormatException(file, where + "truncated: shape " + java.util.Arrays.toString(h.shape) + " of " + h.elem.dtype
                    + " needs " + nbytes + " data bytes, only " + (available - consumed) + " present");
        }
        byte[] data = IoSupport.readExactly(in, nbytes, file, where + "array data");
        if (h.fortran) data = fortranToC(data, h.shape, h.elem.size);
        Object values = IoSupport.decode(data, 0, (int) n, h.elem, h.order);
        return new NdArray(h.elem.dtype, h.shape, values);
    }

    private static byte[] readSome(InputStream in, int n, Path file, String what) throws IOException {
        return IoSupport.readExactly(in, n, file, what);
    }

    // ------------------------------------------------------------------ header

    private record Header(Elem elem, ByteOrder order, int[] shape, boolean fortran) {}

    /**
     * Reorders elements of {@code width} bytes from column-major order (the first index varies fastest) to C order
     * (the last varies fastest). Done on bytes, before decoding, so that it serves every dtype.
     */
    static byte[] fortranToC(byte[] src, int[] shape, int width) {
        byte[] dst = new byte[src.length];
        if (shape.length < 2) {
            System.arraycopy(src, 0, dst, 0, src.length); // 0-d and 1-d: both orders are the same
            return dst;
        }
        long[] stride = new long[shape.length]; // the column-major stride of each axis, in elements
        long s = 1;
        for (int a = 0; a < shape.length; a++) {
            stride[a] = s;
            s *= shape[a];
        }
        int[] idx = new int[shape.length];
        long from = 0;
        for (int to = 0; to < dst.length; to += width) {
            System.arraycopy(src, (int) (from * width), dst, to, width);
            for (int a = shape.length - 1; a >= 0; a--) { // the next C-order index, as an odometer
                if (++idx[a] < shape[a]) {
                    from += stride[a];
                    break;
                }
                from -= stride[a] * (idx[a] - 1);
                idx[a] = 0;
            }
        }
        return dst;
    }

    private static Header parseHeader(String text, Path file, String where) {
        Map<String, Object> dict;
        try {
            dict = new Literal(text).dict();
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, where + "malformed npy header: " + e.getMessage());
        }
        for (String k : dict.keySet()) {
            if (!k.equals("descr") && !k.equals("fortran_order") && !k.equals("shape")) {
                throw new FormatException(file, where + "npy header has an unexpected field " + FormatException.quote(k));
            }
        }
        for (String k : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(k)) throw new FormatException(file, where + "npy header lacks the field '" + k + "'");
        }
        Object descr = dict.get("descr");
        if (!(descr instanceof String d)) {
            throw new FormatException(file, where + "field 'descr' is " + describe(descr) + ": structured dtypes are not supported");
        }
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean f)) throw new FormatException(file, where + "field 'fortran_order' is " + describe(fortran) + ", not True/False");
        Object shapeObj = dict.get("shape");
        if (!(shapeObj instanceof List<?> dims)) throw new FormatException(file, where + "field 'shape' is " + describe(shapeObj) + ", not a tuple");
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            Object v = dims.get(i);
            if (!(v instanceof Long x) || x < 0 || x > Integer.MAX_VALUE) {
                throw new FormatException(file, where + "field 'shape' has a bad dimension " + describe(v) + " (expected 0 to 2^31-1)");
            }
            shape[i] = (int) (long) x;
        }
        if (d.isEmpty()) throw new FormatException(file, where + "field 'descr' is empty");
        char first = d.charAt(0);
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        String code = d;
        if (first == '<' || first == '>' || first == '|' || first == '=') {
            code = d.substring(1);
            if (first == '>') order = ByteOrder.BIG_ENDIAN;
        }
        Elem elem = Elem.ofNumpyCode(code);
        if (elem == null) {
            if (code.startsWith("O")) throw new FormatException(file, where + "field 'descr' is " + FormatException.quote(d) + ": object arrays are not supported (they need pickle)");
            throw new FormatException(file, where + "field 'descr' is " + FormatException.quote(d)
                    + ": unsupported dtype (float16/32/64, int8/16/32/64, uint8 and bool are read)");
        }
        return new Header(elem, order, shape, f);
    }

    private static String describe(Object v) {
        if (v == null) return "None";
        if (v instanceof String s) return FormatException.quote(s);
        if (v instanceof List<?>) return "a tuple/list";
        if (v instanceof Map<?, ?>) return "a dict";
        return String.valueOf(v);
    }

    /**
     * A parser for the Python literals an .npy header holds: dicts, tuples, lists, strings, integers, True, False,
     * None. Nesting is bounded.
     */
    private static final class Literal {
        private final String s;
        private int pos;
        private int depth;

        Literal(String s) { this.s = s; }

        Map<String, Object> dict() {
            skipSpace();
            Object v = value();
            skipSpace();
            if (pos != s.length()) throw new IllegalArgumentException("unexpected text after the dict at character " + pos);
            if (!(v instanceof Map<?, ?> m)) throw new IllegalArgumentException("the header is not a dict");
            @SuppressWarnings("unchecked") Map<String, Object> r = (Map<String, Object>) m;
            return r;
        }

        private Object value() {
            skipSpace();
            if (pos >= s.length()) throw new IllegalArgumentException("unexpected end of header");
            char c = s.charAt(pos);
            if (c == '{' || c == '(' || c == '[') {
                if (++depth > 16) throw new IllegalArgumentException("nesting too deep");
                Object r = c == '{' ? parseDict() : parseSeq(c == '(' ? ')' : ']');
                depth--;
                return r;
            }
            if (c == '\'' || c == '"') return string();
            if (c == '-' || (c >= '0' && c <= '9')) return integer();
            if (s.startsWith("True", pos)) { pos += 4; return Boolean.TRUE; }
            if (s.startsWith("False", pos)) { pos += 5; return Boolean.FALSE; }
            if (s.startsWith("None", pos)) { pos += 4; return null; }
            throw new IllegalArgumentException("unexpected character " + FormatException.quote(String.valueOf(c)) + " at " + pos);
        }

        private Map<String, Object> parseDict() {
            pos++;
            Map<String, Object> m = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek() == '}') { pos++; return m; }
                Object k = value();
                if (!(k instanceof String key)) throw new IllegalArgumentException("a dict key is not a string at " + pos);
                skipSpace();
                expect(':');
                if (m.containsKey(key)) throw new IllegalArgumentException("duplicate key " + FormatException.quote(key));
                m.put(key, value());
                skipSpace();
                if (peek() == ',') pos++;
                else if (peek() != '}') throw new IllegalArgumentException("expected ',' or '}' at " + pos);
            }
        }

        private List<Object> parseSeq(char close) {
            pos++;
            List<Object> l = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == close) { pos++; return l; }
                l.add(value());
                skipSpace();
                if (peek() == ',') pos++;
                else if (peek() != close) throw new IllegalArgumentException("expected ',' or '" + close + "' at " + pos);
            }
        }

        private String string() {
            char q = s.charAt(pos++);
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw new IllegalArgumentException("unterminated string");
                char c = s.charAt(pos++);
                if (c == q) return sb.toString();
                if (c == '\\') throw new IllegalArgumentException("escape sequences in header strings are not supported");
                sb.append(c);
            }
        }

        private Long integer() {
            int start = pos;
            if (s.charAt(pos) == '-') pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            String digits = s.substring(start, pos);
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) pos++; // Python 2 long
            if (digits.length() > 18 || digits.equals("-")) throw new IllegalArgumentException("bad integer " + FormatException.quote(digits));
            return Long.parseLong(digits);
        }

        private char peek() {
            if (pos >= s.length()) throw new IllegalArgumentException("unexpected end of header");
            return s.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) throw new IllegalArgumentException("expected '" + c + "' at " + pos);
            pos++;
        }

        private void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\n' || s.charAt(pos) == '\t' || s.charAt(pos) == '\r')) pos++;
        }
    }

    // ------------------------------------------------------------------ writing

    /** Writes an array as a version 1.0 little-endian .npy document (every NdArray dtype; float16 rounds to nearest even). */
    public static void write(OutputStream out, NdArray a) throws IOException {
        Elem e = Elem.ofDtype(a.dtype());
        String descr = e.npyDescr();
        StringBuilder shape = new StringBuilder("(");
        int[] dims = a.shape();
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) shape.append(", ");
            shape.append(dims[i]);
        }
        if (dims.length == 1) shape.append(',');
        shape.append(')');
        StringBuilder header = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ").append(shape).append(", }");
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header.append(" ".repeat(pad)).append('\n');
        byte[] hb = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (hb.length > 0xffff) throw new IllegalArgumentException("npy header too long for version 1.0");
        out.write(MAGIC);
        out.write(new byte[] {1, 0, (byte) hb.length, (byte) (hb.length >>> 8)});
        out.write(hb);
        out.write(IoSupport.encode(a, e, ByteOrder.LITTLE_ENDIAN));
    }

    /** Writes a .npy file atomically. */
    public static void write(Path file, NdArray a) throws IOException {
        DurableFiles.write(file, out -> write(out, a));
    }
}
