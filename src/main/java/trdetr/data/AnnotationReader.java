package trdetr.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import trdetr.io.FormatException;

/**
 * Reads annotation jsonl files (spec §5.1) into {@link Annotation}s: one JSON object per line. A line that is not
 * valid JSON, or lacks a field the format needs, stops the read with a one-line {@link FormatException} naming the
 * file, the line number and the field. Lines holding only whitespace are ignored (Python's loader would fail on
 * them; they carry no data).
 */
public final class AnnotationReader {
    private AnnotationReader() {}

    private static final ObjectMapper JSON = new ObjectMapper();

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
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (text.isBlank()) continue;
                rows.add(parse(file, line, text, kind, withLabels));
            }
        }
        if (dataRatio != 1.0) {
            // Python: int(len(datalist) * data_ratio), a prefix of the file.
            rows = new ArrayList<>(rows.subList(0, (int) (rows.size() * dataRatio)));
        }
        if (domain != null) rows.removeIf(a -> !domain.equals(a.domain()));
        return rows;
    }

    /** Parses one line (1-based {@code line}) of {@code file}. */
    public static Annotation parse(Path file, int line, String text, DatasetKind kind, boolean withLabels) {
        JsonNode o;
        try {
            o = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            throw new FormatException(file, "line " + line + ": not valid JSON (" + (msg == null ? "parse error" : msg) + ")");
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
                    windows = f.windows("relevant_windows");
                    clipIds = f.clipIds("relevant_clip_ids");
                    scores = f.scores("saliency_scores");
                    if (scores.length != clipIds.length) {
                        throw f.bad("saliency_scores", "has " + scores.length + " rows but relevant_clip_ids has " + clipIds.length);
                    }
                }
            }
            case QVHIGHLIGHTS_PRETRAIN -> {
                if (withLabels) {
                    windows = f.windows("relevant_windows");
                    clipIds = f.clipIds("relevant_clip_ids");
                }
            }
            case CHARADES -> {
                if (withLabels) windows = f.windows("relevant_windows");
            }
            case TVSUM -> {
                label = f.matrix("label");
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

        double[][] windows(String field) {
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
