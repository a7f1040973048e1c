package trdetr.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import trdetr.pyexact.PythonFloats;
import trdetr.pyexact.PythonJson;

/**
 * A query id compared the way Python compares dict keys: 7 and 7.0 (and true and 1) are the same qid, "7" is not.
 * QVHighlights qids are integers; the evaluator matches submission and ground truth through these keys.
 *
 * @param key  the value that decides equality: a BigInteger for integral numbers and booleans, a Double for other
 *             numbers, a String for strings, {@link #NONE} for null
 * @param text how the qid is spelled in messages (its JSON text)
 */
public record Qid(Object key, String text) {
    /** The key of a JSON null. */
    public static final String NONE = "\u0000None";

    /** The qid of a JSON value; arrays and objects cannot be dict keys (Python raises TypeError). */
    public static Qid of(JsonNode n) {
        if (n == null) throw new IllegalArgumentException("no qid");
        if (n.isNull()) return new Qid(NONE, "null");
        if (n.isTextual()) return new Qid(n.textValue(), PythonJson.dumps(n.textValue()));
        if (n.isBoolean()) return new Qid(n.booleanValue() ? BigInteger.ONE : BigInteger.ZERO, n.toString());
        if (n.isIntegralNumber()) return new Qid(n.bigIntegerValue(), n.toString());
        if (n.isNumber()) return ofDouble(n.doubleValue(), n.toString());
        throw new IllegalArgumentException("a qid must be a number or a string, not " + n.getNodeType().toString().toLowerCase());
    }

    /** The qid of a Java value: Integer, Long, BigInteger, Double, Float, String, Boolean or null. */
    public static Qid of(Object v) {
        if (v == null) return new Qid(NONE, "null");
        if (v instanceof String s) return new Qid(s, PythonJson.dumps(s));
        if (v instanceof Boolean b) return new Qid(b ? BigInteger.ONE : BigInteger.ZERO, b.toString());
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return new Qid(BigInteger.valueOf(((Number) v).longValue()), v.toString());
        if (v instanceof BigInteger b) return new Qid(b, b.toString());
        if (v instanceof Double || v instanceof Float) return ofDouble(((Number) v).doubleValue(), PythonFloats.repr(((Number) v).doubleValue()));
        throw new IllegalArgumentException("a qid must be a number or a string, not " + v.getClass().getSimpleName());
    }

    private static Qid ofDouble(double d, String text) {
        if (!Double.isNaN(d) && !Double.isInfinite(d) && d == Math.rint(d)) return new Qid(new BigDecimal(d).toBigIntegerExact(), text);
        return new Qid(d, text);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Qid q && key.equals(q.key);
    }

    @Override public int hashCode() {
        return key.hashCode();
    }

    @Override public String toString() {
        return text;
    }
}
