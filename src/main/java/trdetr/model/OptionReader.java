package trdetr.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import trdetr.io.FormatException;

/**
 * Reads named values from a parsed configuration (a JSON object, a pickled argparse Namespace) with their type and
 * range, so that nothing out of range reaches code that allocates or divides by it. Every refusal is a
 * {@link FormatException} of one line naming the source file and the key, e.g.
 * {@code best.ckpt: model option 'nheads' is 0; it must be at least 1}.
 *
 * <p>Whole numbers are read exactly: a value beyond the target type is refused, never wrapped. A float with a whole
 * value (2.0, as Python writes a float-typed option) counts as that whole number; 2.5 does not.
 */
public final class OptionReader {
    private final Path source;
    private final String what;
    private final Map<String, ?> values;

    /**
     * @param source the file the values came from (null when they did not come from a file: command-line options)
     * @param what   what the keys are, for messages: "model option", "checkpoint field"
     */
    public OptionReader(Path source, String what, Map<String, ?> values) {
        this.source = source;
        this.what = what;
        this.values = values;
    }

    public Path source() { return source; }

    /** A whole number in [min, max]; {@code dflt} when the key is absent. */
    public int integer(String key, int dflt, int min, int max) {
        return values.containsKey(key) ? integer(key, min, max) : dflt;
    }

    /** A whole number in [min, max] that must be present. */
    public int integer(String key, int min, int max) {
        return (int) whole(key, min, max, BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE), "int");
    }

    /** A non-negative whole number of the long range (a count of steps) that must be present. */
    public long count(String key) {
        return whole(key, 0, Long.MAX_VALUE, BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE), "long");
    }

    /** A finite number in [min, max]; {@code dflt} when the key is absent. */
    public double real(String key, double dflt, double min, double max) {
        if (!values.containsKey(key)) return dflt;
        double x = number(key);
        if (!Double.isFinite(x)) throw invalid(key, "it must be a finite number");
        if (x < min || x > max) throw invalid(key, "it must be " + range(min, max));
        return x;
    }

    /**
     * A number that may be non-finite, as Jackson writes those: the strings "NaN", "Infinity", "-Infinity" (a best
     * metric before the first evaluation is −∞).
     */
    public double anyReal(String key) {
        Object v = required(key);
        if (v instanceof String s) {
            switch (s) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: throw invalid(key, "it must be a number");
            }
        }
        return number(key);
    }

    public boolean bool(String key, boolean dflt) {
        if (!values.containsKey(key)) return dflt;
        if (required(key) instanceof Boolean b) return b;
        throw invalid(key, "it must be true or false");
    }

    /** A nested object that must be present. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> object(String key) {
        if (required(key) instanceof Map<?, ?> m && m.keySet().stream().allMatch(k -> k instanceof String)) return (Map<String, Object>) m;
        throw invalid(key, "it must be an object");
    }

    /** A nested object; empty when the key is absent or null. */
    public Map<String, Object> object(String key, Map<String, Object> dflt) {
        return values.get(key) == null ? dflt : object(key);
    }

    /** "FILE: WHAT 'KEY' is VALUE; REQUIREMENT" (the value as found, shortened). */
    public FormatException invalid(String key, String requirement) {
        return new FormatException(source, what + " '" + key + "' is " + show(values.get(key)) + "; " + requirement);
    }

    private Object required(String key) {
        if (!values.containsKey(key)) throw new FormatException(source, what + " '" + key + "' is missing");
        return values.get(key);
    }

    private double number(String key) {
        // Boolean is not a Number in Java, so true/false fall through to the refusal as in Python they should not.
        if (required(key) instanceof Number n) return n.doubleValue();
        throw invalid(key, "it must be a number");
    }

    private long whole(String key, long min, long max, BigInteger typeMin, BigInteger typeMax, String type) {
        BigInteger x = exactWhole(required(key));
        if (x == null) throw invalid(key, "it must be a whole number");
        if (x.compareTo(typeMin) < 0 || x.compareTo(typeMax) > 0) {
            throw new FormatException(source, what + " '" + key + "' is " + show(values.get(key)) + ", beyond the " + type + " range");
        }
        long v = x.longValue();
        if (v < min || v > max) throw invalid(key, "it must be " + range(min, max));
        return v;
    }

    /** The exact whole value of an integer or a whole float, else null (fractions, strings, booleans, null, NaN). */
    private static BigInteger exactWhole(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return BigInteger.valueOf(((Number) v).longValue());
        if (v instanceof BigInteger b) return b;
        BigDecimal d;
        if (v instanceof BigDecimal b) d = b;
        else if ((v instanceof Double || v instanceof Float) && Double.isFinite(((Number) v).doubleValue())) d = new BigDecimal(((Number) v).doubleValue());
        else return null;
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException fraction) {
            return null;
        }
    }

    private static String range(double min, double max) {
        if (min == max) return show(min);
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE || max == Double.MAX_VALUE) return "at least " + show(min);
        return "between " + show(min) + " and " + show(max);
    }

    /** A value as it appears in the file, shortened: a message is one line of readable length. */
    private static String show(Object v) {
        if (v == null) return "null";
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return String.valueOf(d.longValue());
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        if (v instanceof Map<?, ?>) return "an object";
        if (v instanceof List<?>) return "a list";
        String s = v.toString();
        return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }
}
