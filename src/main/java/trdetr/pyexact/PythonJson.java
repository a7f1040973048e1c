package trdetr.pyexact;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * JSON text exactly as Python's {@code json.dumps} writes it, so that our submission and metrics files diff clean
 * against the official ones: floats through {@link PythonFloats#repr} (NaN, Infinity, -Infinity for the non-finite),
 * {@code ensure_ascii} escaping (everything outside space..tilde as \\uXXXX, lower-case hex), separators
 * {@code ", "} and {@code ": "} on one line, or {@code ","} and {@code ": "} with an indent.
 *
 * <p>Values: {@link Map} (keys in iteration order, so use a LinkedHashMap), {@link List}, {@code double[]},
 * {@code float[]} (each element widened to double, as {@code tensor.tolist()} does), {@code int[]}, Double, Float,
 * Integer, Long, BigInteger, BigDecimal (written as a float), String, Boolean and null.
 */
public final class PythonJson {
    private PythonJson() {}

    /** {@code json.dumps(value)}. */
    public static String dumps(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1, 0);
        return sb.toString();
    }

    /** {@code json.dumps(value, indent=indent)}. */
    public static String dumps(Object value, int indent) {
        if (indent < 0) throw new IllegalArgumentException("indent must be >= 0");
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int indent, int level) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Double d) {
            number(sb, d);
        } else if (v instanceof Float f) {
            number(sb, f.doubleValue());
        } else if (v instanceof BigDecimal d) {
            number(sb, d.doubleValue());
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(indent < 0 ? ", " : ",");
                first = false;
                newline(sb, indent, level + 1);
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), indent, level + 1);
            }
            newline(sb, indent, level);
            sb.append('}');
        } else if (v instanceof List<?> l) {
            array(sb, l.size(), i -> l.get(i), indent, level);
        } else if (v instanceof double[] a) {
            array(sb, a.length, i -> a[i], indent, level);
        } else if (v instanceof float[] a) {
            array(sb, a.length, i -> (double) a[i], indent, level);
        } else if (v instanceof int[] a) {
            array(sb, a.length, i -> a[i], indent, level);
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    private interface Element {
        Object get(int i);
    }

    private static void array(StringBuilder sb, int n, Element element, int indent, int level) {
        if (n == 0) {
            sb.append("[]");
            return;
        }
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(indent < 0 ? ", " : ",");
            newline(sb, indent, level + 1);
            write(sb, element.get(i), indent, level + 1);
        }
        newline(sb, indent, level);
        sb.append(']');
    }

    private static void newline(StringBuilder sb, int indent, int level) {
        if (indent < 0) return;
        sb.append('\n');
        for (int i = 0; i < indent * level; i++) sb.append(' ');
    }

    /** Python's json float spelling: repr for finite values, NaN / Infinity / -Infinity otherwise. */
    static void number(StringBuilder sb, double d) {
        if (Double.isNaN(d)) sb.append("NaN");
        else if (Double.isInfinite(d)) sb.append(d > 0 ? "Infinity" : "-Infinity");
        else sb.append(PythonFloats.repr(d));
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** A string with ensure_ascii escaping. */
    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c >= ' ' && c <= '~') {
                        sb.append(c);
                    } else {
                        // UTF-16 code units, so characters beyond the BMP come out as surrogate pairs, as in Python.
                        sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
                    }
                }
            }
        }
        sb.append('"');
    }
}
