package trdetr.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of the fields of a jsonl line, each failure naming the field, the file and the line. Numbers are read
 * as Python reads them: integers and floats alike become doubles (correctly rounded), NaN and ±Infinity are
 * accepted, and true/false count as 1/0 (bool is an int in Python). A field that is absent or null reads as null.
 */
final class JsonFields {
    private JsonFields() {}

    static JsonNode field(JsonlLine line, String name) {
        JsonNode n = line.node().get(name);
        return n == null || n.isNull() ? null : n;
    }

    static JsonNode required(JsonlLine line, String name) {
        JsonNode n = line.node().get(name);
        if (n == null) throw line.error("missing field \"" + name + "\"");
        return n;
    }

    static double number(JsonlLine line, JsonNode n, String what) {
        if (n.isNumber()) return n.doubleValue();
        if (n.isBoolean()) return n.booleanValue() ? 1 : 0;
        throw line.error(what + " must be a number, found " + describe(n));
    }

    static Double optionalNumber(JsonlLine line, String name) {
        JsonNode n = field(line, name);
        return n == null ? null : number(line, n, "\"" + name + "\"");
    }

    static String optionalString(JsonlLine line, String name) {
        JsonNode n = field(line, name);
        if (n != null && !n.isTextual()) throw line.error("\"" + name + "\" must be a string, found " + describe(n));
        return n == null ? null : n.asText();
    }

    static double[] numbers(JsonlLine line, JsonNode n, String what) {
        if (!n.isArray()) throw line.error(what + " must be a list of numbers, found " + describe(n));
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(line, n.get(i), what + "[" + i + "]");
        return out;
    }

    static double[] optionalNumbers(JsonlLine line, String name) {
        JsonNode n = field(line, name);
        return n == null ? null : numbers(line, n, "\"" + name + "\"");
    }

    /** A list of rows of numbers, each with at least minColumns values. */
    static List<double[]> rows(JsonlLine line, String name, int minColumns) {
        JsonNode n = field(line, name);
        if (n == null) return null;
        String what = "\"" + name + "\"";
        if (!n.isArray()) throw line.error(what + " must be a list of lists, found " + describe(n));
        List<double[]> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            double[] row = numbers(line, n.get(i), what + "[" + i + "]");
            if (row.length < minColumns) throw line.error(what + "[" + i + "] has " + row.length + " values, needs " + minColumns);
            out.add(row);
        }
        return out;
    }

    static long[] integers(JsonlLine line, String name) {
        JsonNode n = field(line, name);
        if (n == null) return null;
        String what = "\"" + name + "\"";
        if (!n.isArray()) throw line.error(what + " must be a list of integers, found " + describe(n));
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = n.get(i);
            if (e.isIntegralNumber() && e.canConvertToLong()) out[i] = e.longValue();
            else if (e.isBoolean()) out[i] = e.booleanValue() ? 1 : 0;
            else throw line.error(what + "[" + i + "] must be an integer, found " + describe(e));
        }
        return out;
    }

    static String describe(JsonNode n) {
        String s = n.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
