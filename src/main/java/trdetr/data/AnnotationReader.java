package trdetr.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import trdetr.io.FormatException;

/**
 * Reads annotation jsonl files (spec §5.1) into {@link Annotation}s: one JSON object per line. A line that is not
 * valid JSON, or lacks a field the format needs, stops the read with a one-line {@link FormatException} naming the
 * file, the line number and the field. Lines holding only whitespace are ignored (Python's loader would fail on
 * them; they carry no data).
 */
public final class AnnotationReader {
    private AnnotationReader() {}

    /** Trailing tokens refused: "{...} junk" is a damaged line, which Python's json.loads refuses too. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The TVSum categories, as the official dataset checks them. */
    public static final List<String> TVSUM_DOMAINS = List.of("BK", "BT", "DS", "FM", "GA", "MS", "PK", "PR", "VT", "VU");

    /**
     * Reads a file.
     *
     * @param withLabels whether label fields are required (false for a test split: only qid/query/duration/vid)
     * @param dataRatio  keep the first {@code int(n·ratio)} rows when ≠ 1 (the official {@code data_ratio})
     * @param domain     TVSum only: keep the rows of this category (applied after data_ratio, as officially); null
     *                   keeps all (the official code requires a domain for TVSum)
     */
    public static List<Annotation> read(Path file, DatasetKind kind, boolean withLabels, double dataRatio, String domain) throws IOException {
        if (!(dataRatio > 0 && dataRatio <= 1)) throw new IllegalArgumentException("data_ratio must be in (0, 1], got " + dataRatio);
        if (domain != null && !TVSUM_DOMAINS.contains(domain)) {
            throw new IllegalArgumentException("unknown TVSum domain '" + domain + "' (" + String.join(", ", TVSUM_DOMAINS) + ")");
        }
        if (!Files.isRegularFile(file)) throw new FormatException(file, "annotation file not found");
        List<Annotation> rows = new ArrayList<>();
        Map<String, Integer> firstLine = new HashMap<>();
        List<String> lines = JsonlText.lines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            Annotation a = parse(file, i + 1, lines.get(i), kind, withLabels);
            Integer first = firstLine.putIfAbsent(a.qid(), a.line());
            if (first != null) throw a.error(AnnotationRules.repeatedQid(a.qid(), "line " + first));
            rows.add(a);
        }
        // An empty split would otherwise surface far from here, e.g. as a model expecting 0 feature columns.
        if (rows.isEmpty()) throw new FormatException(file, "has no annotation rows (empty file)");
        if (dataRatio != 1.0) {
            // Python: int(len(datalist) * data_ratio), a prefix of the file.
            int keep = (int) (rows.size() * dataRatio);
            if (keep == 0) throw new FormatException(file, "data_ratio " + dataRatio + " keeps none of its " + rows.size() + " rows");
            rows = new ArrayList<>(rows.subList(0, keep));
        }
        if (domain != null) {
            rows.removeIf(a -> !domain.equals(a.domain()));
            if (rows.isEmpty()) throw new FormatException(file, "has no row of TVSum domain '" + domain + "'");
        }
        return rows;
    }

    /** Parses one line (1-based {@code line}) of {@code file}. */
    public static Annotation parse(Path file, int line, String text, DatasetKind kind, boolean withLabels) {
        JsonNode o;
        try {
            o = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "line " + line + ": " + JsonlText.syntaxError(e));
        }
        if (o == null || !o.isObject()) throw new FormatException(file, "line " + line + ": not a JSON object");
        Fields f = new Fields(file, line, o);

        JsonNode qidNode = f.required("qid");
        String qid;
        boolean numeric;
        if (qidNode.isIntegralNumber()) {
            qid = qidNode.asText();
            numeric = true;
        } else if (qidNode.isTextual() && !qidNode.asText().isEmpty()) {
            qid = qidNode.asText();
            numeric = false;
        } else {
            throw f.bad("qid", "is not an integer or a non-empty string");
        }
        String query = f.string("query");
        double duration = f.number("duration");
        f.check(qid, AnnotationRules.duration(duration));
        String vid = f.string("vid");
        if (vid.isEmpty() || vid.contains("/") || vid.contains("\\")) throw f.bad("vid", "is not a usable file name");

        double[][] windows = null;
        int[] clipIds = null;
        int[][] scores = null;
        double[][] label = null;
        String domain = null;
        switch (kind) {
            case QVHIGHLIGHTS -> {
                if (withLabels) {
                    windows = f.windows("relevant_windows", qid, duration);
                    clipIds = f.clipIds("relevant_clip_ids");
                    scores = f.scores("saliency_scores");
                    f.check(qid, AnnotationRules.clipIds(Arrays.stream(clipIds).asLongStream().toArray(), duration));
                    f.check(qid, AnnotationRules.saliencyRows(scores.length, clipIds.length));
                    for (int i = 0; i < scores.length; i++) {
                        f.check(qid, AnnotationRules.saliencyRow(i, Arrays.stream(scores[i]).asDoubleStream().toArray()));
                    }
                }
            }
            case QVHIGHLIGHTS_PRETRAIN -> {
                if (withLabels) {
                    // Subtitle windows may run past the clip: the official labels clamp their end to the features
                    // (ge = min(int(ed / clip_len), ctx_l) - 1) on purpose, so only their order is checked.
                    windows = f.windows("relevant_windows", qid, Double.NaN);
                    clipIds = f.clipIds("relevant_clip_ids");
                }
            }
            case CHARADES -> {
                if (withLabels) windows = f.windows("relevant_windows", qid, duration);
            }
            case TVSUM -> {
                label = f.matrix("label");
                if (label != null) f.check(qid, AnnotationRules.tvsumLabel(label));
                JsonNode d = o.get("domain");
                if (d != null && !d.isNull()) {
                    if (!d.isTextual()) throw f.bad("domain", "is not a string");
                    domain = d.asText();
                }
            }
        }
        return new Annotation(file, line, qid, numeric, query, duration, vid, windows, clipIds, scores, label, domain);
    }

    /** Typed access to the fields of one JSON object, with messages naming the file, line and field. */
    private record Fields(Path file, int line, JsonNode o) {
        FormatException bad(String field, String what) {
            return new FormatException(file, "line " + line + ": field '" + field + "' " + what);
        }

        JsonNode required(String field) {
            JsonNode n = o.get(field);
            if (n == null || n.isNull()) throw new FormatException(file, "line " + line + ": field '" + field + "' is missing");
            return n;
        }

        String string(String field) {
            JsonNode n = required(field);
            if (!n.isTextual()) throw bad(field, "is not a string");
            return n.asText();
        }

        double number(String field) {
            JsonNode n = required(field);
            if (!n.isNumber() || !Double.isFinite(n.asDouble())) throw bad(field, "is not a finite number");
            return n.asDouble();
        }

        /** A semantic rule's verdict (null: fine) as "FILE: line N: qid Q: problem". */
        void check(String qid, String problem) {
            if (problem != null) throw new FormatException(file, "line " + line + ": qid " + qid + ": " + problem);
        }

        double[][] windows(String field, String qid, double duration) {
            JsonNode n = required(field);
            if (!n.isArray() || n.isEmpty()) throw bad(field, "is not a non-empty list of [start, end] pairs");
            double[][] w = new double[n.size()][];
            for (int i = 0; i < w.length; i++) {
                JsonNode p = n.get(i);
                if (!p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
                    throw bad(field, "entry " + i + " is not a [start, end] pair of numbers");
                }
                w[i] = new double[] {p.get(0).asDouble(), p.get(1).asDouble()};
                if (!Double.isFinite(w[i][0]) || !Double.isFinite(w[i][1])) throw bad(field, "entry " + i + " is not finite");
                check(qid, AnnotationRules.window(w[i][0], w[i][1], duration));
            }
            return w;
        }

        int[] clipIds(String field) {
            JsonNode n = required(field);
            if (!n.isArray() || n.isEmpty()) throw bad(field, "is not a non-empty list of clip indices");
            int[] ids = new int[n.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode v = n.get(i);
                if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
                    throw bad(field, "entry " + i + " is not a non-negative integer");
                }
                ids[i] = v.asInt();
            }
            return ids;
        }

        int[][] scores(String field) {
            JsonNode n = required(field);
            if (!n.isArray()) throw bad(field, "is not a list of score rows");
            int[][] s = new int[n.size()][];
            for (int i = 0; i < s.length; i++) {
                JsonNode row = n.get(i);
                if (!row.isArray() || row.isEmpty()) throw bad(field, "row " + i + " is not a non-empty list of integers");
                if (i > 0 && row.size() != s[0].length) throw bad(field, "row " + i + " has " + row.size() + " scores, row 0 has " + s[0].length);
                s[i] = new int[row.size()];
                for (int j = 0; j < s[i].length; j++) {
                    JsonNode v = row.get(j);
                    if (!v.isIntegralNumber() || !v.canConvertToInt()) throw bad(field, "row " + i + " value " + j + " is not an integer");
                    s[i][j] = v.asInt();
                }
            }
            return s;
        }

        double[][] matrix(String field) {
            JsonNode n = required(field);
            if (!n.isArray() || n.isEmpty()) throw bad(field, "is not a non-empty list of rows");
            double[][] m = new double[n.size()][];
            for (int i = 0; i < m.length; i++) {
                JsonNode row = n.get(i);
                if (!row.isArray() || row.isEmpty()) throw bad(field, "row " + i + " is not a non-empty list of numbers");
                if (i > 0 && row.size() != m[0].length) throw bad(field, "row " + i + " has " + row.size() + " values, row 0 has " + m[0].length);
                m[i] = new double[row.size()];
                for (int j = 0; j < m[i].length; j++) {
                    JsonNode v = row.get(j);
                    if (!v.isNumber()) throw bad(field, "row " + i + " value " + j + " is not a number");
                    m[i][j] = v.asDouble();
                }
            }
            return m;
        }
    }
}
