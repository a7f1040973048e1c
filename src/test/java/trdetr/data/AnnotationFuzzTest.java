package trdetr.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.cli.UserError;
import trdetr.eval.GroundTruthEntry;
import trdetr.eval.InputChecks;
import trdetr.eval.StandaloneEvaluator;
import trdetr.eval.SubmissionEntry;
import trdetr.io.FormatException;

/**
 * Seeded mutations of a small valid annotation file and a valid submission (fields deleted or of the wrong type,
 * duplicated lines, swapped window ends, zero and negative durations, invalid UTF-8, truncated lines, an empty
 * file). Each mutant must be refused with a one-line FormatException or UserError naming the file, or accepted only
 * if it is still valid by the oracles below (written independently of the readers); any other outcome is unclean.
 */
class AnnotationFuzzTest {
    @TempDir Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MUTANTS = 400;

    /** Three queries, one per length range of the official evaluator (short, middle, long): it needs each. */
    static final List<String> GT = List.of(
            "{\"qid\": 1, \"query\": \"a man cooks\", \"duration\": 150, \"vid\": \"va_0.0_150.0\", \"relevant_clip_ids\": [10, 11, 12], "
                    + "\"saliency_scores\": [[4, 3, 2], [1, 0, 4], [2, 2, 2]], \"relevant_windows\": [[20, 26]]}",
            "{\"qid\": 2, \"query\": \"a dog runs\", \"duration\": 126, \"vid\": \"vb_0.0_126.0\", \"relevant_clip_ids\": [0, 1, 30], "
                    + "\"saliency_scores\": [[1, 1, 1], [3, 4, 4], [0, 2, 1]], \"relevant_windows\": [[0, 4], [60, 80]]}",
            "{\"qid\": 3, \"query\": \"sunset\", \"duration\": 150, \"vid\": \"vc_0.0_150.0\", \"relevant_clip_ids\": [74], "
                    + "\"saliency_scores\": [[4, 4, 4]], \"relevant_windows\": [[100, 150]]}");
    static final List<String> SUB = List.of(
            "{\"qid\": 1, \"query\": \"a man cooks\", \"vid\": \"va_0.0_150.0\", \"pred_relevant_windows\": [[20, 26, 0.9], [0, 10, 0.2]], "
                    + "\"pred_saliency_scores\": [0.1, 0.5, -0.2, 0.3]}",
            "{\"qid\": 2, \"query\": \"a dog runs\", \"vid\": \"vb_0.0_126.0\", \"pred_relevant_windows\": [[58, 62, 0.8], [0, 0, 0.1]], "
                    + "\"pred_saliency_scores\": [0.4, 0.2]}",
            "{\"qid\": 3, \"query\": \"sunset\", \"vid\": \"vc_0.0_150.0\", \"pred_relevant_windows\": [[140, 150, 0.7]], "
                    + "\"pred_saliency_scores\": [0.0, 1.0, 0.5]}");

    /** Counts of one campaign. */
    private static final class Tally {
        int tried, refused, accepted;
        final List<String> unclean = new ArrayList<>();

        String summary(String what) {
            return what + " fuzz: tried " + tried + ", refused cleanly " + refused + ", accepted " + accepted + ", unclean " + unclean.size();
        }
    }

    private interface Reader {
        void read(Path file) throws Exception;
    }

    @Test
    void mutatedAnnotationsAndSubmissionsAreRefusedCleanlyOrStillValid() throws Exception {
        Random rnd = new Random(20);
        List<GroundTruthEntry> gt = StandaloneEvaluator.readGroundTruth(write("gt.jsonl", lines(GT)));
        Tally ann = new Tally(), evalGt = new Tally(), sub = new Tally();
        for (int i = 0; i < MUTANTS; i++) {
            Path a = write("ann" + i + ".jsonl", mutate(GT, rnd));
            run(ann, a, f -> AnnotationReader.read(f, DatasetKind.QVHIGHLIGHTS, true, 1.0, null), AnnotationFuzzTest::validAnnotations);
            run(evalGt, a, f -> InputChecks.groundTruth(StandaloneEvaluator.readGroundTruth(f)), null);
            Path s = write("sub" + i + ".jsonl", mutate(SUB, rnd));
            run(sub, s, f -> {
                List<SubmissionEntry> entries = StandaloneEvaluator.readSubmission(f);
                InputChecks.submission(entries);
                StandaloneEvaluator.evaluate(entries, gt, true);
            }, AnnotationFuzzTest::validSubmission);
        }
        for (Tally t : List.of(ann, evalGt, sub)) {
            String name = t == ann ? "annotation (train reader)" : t == evalGt ? "annotation (eval reader)" : "submission";
            System.out.println(t.summary(name));
            assertThat(t.unclean).as(name).isEmpty();
            assertThat(t.refused).as(name + ": the mutations must hit").isGreaterThan(MUTANTS / 4);
        }
        assertThat(ann.accepted + sub.accepted).as("some mutants stay valid").isPositive();
    }

    private static void run(Tally t, Path file, Reader reader, java.util.function.Predicate<byte[]> oracle) throws Exception {
        t.tried++;
        byte[] bytes = Files.readAllBytes(file);
        try {
            reader.read(file);
        } catch (FormatException | UserError e) {
            String m = e.getMessage();
            if (m == null || m.contains("\n") || m.contains("\r") || !m.contains(file.toString())) {
                t.unclean.add(file.getFileName() + ": refused without naming the file in one line: " + m);
            } else if (oracle != null && oracle.test(bytes) && !(e instanceof UserError)) {
                t.unclean.add(file.getFileName() + ": a valid file refused: " + m);
            } else {
                t.refused++;
            }
            return;
        } catch (Exception | AssertionError e) {
            t.unclean.add(file.getFileName() + ": " + e);
            return;
        }
        if (oracle != null && !oracle.test(bytes)) {
            t.unclean.add(file.getFileName() + ": an invalid file accepted: " + new String(bytes, StandardCharsets.UTF_8).replace("\n", "\\n"));
        }
        else t.accepted++;
    }

    // ---- mutations ----

    private static byte[] mutate(List<String> base, Random rnd) throws Exception {
        List<String> lines = new ArrayList<>(base);
        int at = rnd.nextInt(lines.size());
        switch (rnd.nextInt(9)) {
            case 0 -> lines.set(at, edit(lines.get(at), o -> o.remove(pick(o, rnd))));
            case 1 -> lines.set(at, edit(lines.get(at), o -> o.set(pick(o, rnd), wrongValue(rnd))));
            case 2 -> lines.add(rnd.nextInt(lines.size() + 1), lines.get(at));
            case 3 -> lines.set(at, edit(lines.get(at), o -> swapFirstWindow(o, rnd)));
            case 4 -> lines.set(at, edit(lines.get(at), o -> o.put("duration", rnd.nextBoolean() ? 0 : -rnd.nextInt(200))));
            case 5 -> lines.set(at, lines.get(at).substring(0, rnd.nextInt(lines.get(at).length())));
            case 6 -> lines.set(at, edit(lines.get(at), o -> nudgeNumber(o, rnd)));
            case 7 -> { return invalidUtf8(lines(lines), rnd); }
            default -> { return rnd.nextBoolean() ? new byte[0] : "\n".getBytes(StandardCharsets.UTF_8); }
        }
        return lines(lines);
    }

    private interface Edit {
        void apply(ObjectNode o);
    }

    private static String edit(String line, Edit e) throws Exception {
        ObjectNode o = (ObjectNode) JSON.readTree(line);
        e.apply(o);
        return JSON.writeValueAsString(o);
    }

    private static String pick(ObjectNode o, Random rnd) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names.get(rnd.nextInt(names.size()));
    }

    private static JsonNode wrongValue(Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> JSON.getNodeFactory().textNode("x");
            case 1 -> JSON.getNodeFactory().numberNode(1.5);
            case 2 -> JSON.getNodeFactory().nullNode();
            case 3 -> JSON.getNodeFactory().arrayNode();
            case 4 -> JSON.getNodeFactory().objectNode();
            default -> JSON.getNodeFactory().booleanNode(true);
        };
    }

    private static void swapFirstWindow(ObjectNode o, Random rnd) {
        JsonNode ws = o.has("relevant_windows") ? o.get("relevant_windows") : o.get("pred_relevant_windows");
        ArrayNode w = (ArrayNode) ws.get(rnd.nextInt(ws.size()));
        JsonNode st = w.get(0);
        w.set(0, w.get(1));
        w.set(1, st);
    }

    /** Shifts one number somewhere in the row (clip ids, scores, window ends) by -3..3. */
    private static void nudgeNumber(ObjectNode o, Random rnd) {
        List<JsonNode> containers = new ArrayList<>();
        collectArrays(o, containers);
        ArrayNode a = (ArrayNode) containers.get(rnd.nextInt(containers.size()));
        int i = rnd.nextInt(a.size());
        if (a.get(i).isNumber()) a.set(i, JSON.getNodeFactory().numberNode(a.get(i).asInt() + rnd.nextInt(7) - 3));
    }

    private static void collectArrays(JsonNode n, List<JsonNode> out) {
        if (n.isArray() && n.size() > 0 && n.get(0).isNumber()) out.add(n);
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) collectArrays(it.next(), out);
    }

    private static byte[] invalidUtf8(byte[] text, Random rnd) {
        byte[] bad = {(byte) 0xff, (byte) 0xc3, (byte) 0x80, (byte) 0xe2};
        byte[] out = new byte[text.length + 1];
        int at = rnd.nextInt(text.length);
        System.arraycopy(text, 0, out, 0, at);
        out[at] = bad[rnd.nextInt(bad.length)];
        System.arraycopy(text, at, out, at + 1, text.length - at);
        return out;
    }

    // ---- oracles: what a valid file is, written from docs/data-validation.md rather than from the readers ----

    /** The JSON objects of a UTF-8 jsonl file, or null if it is not one; blank lines skipped or refused. */
    private static List<JsonNode> objects(byte[] bytes, boolean skipBlank) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            List<JsonNode> rows = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() && skipBlank) continue;
                if (line.isBlank()) return null;
                JsonNode n = JSON.readTree(line);
                if (n == null || !n.isObject()) return null;
                rows.add(n);
            }
            return rows;
        } catch (Exception e) {
            return null;
        }
    }

    static boolean validAnnotations(byte[] bytes) {
        List<JsonNode> rows = objects(bytes, true); // the annotation reader ignores blank lines
        if (rows == null || rows.isEmpty()) return false;
        Set<String> qids = new HashSet<>();
        for (JsonNode r : rows) {
            JsonNode qid = r.path("qid"); // an integer, or a non-empty string as TVSum's
            if (!(qid.isIntegralNumber() || qid.isTextual() && !qid.asText().isEmpty()) || !qids.add(qid.asText())) return false;
            if (!r.path("query").isTextual() || !r.path("vid").isTextual() || r.get("vid").asText().isEmpty()) return false;
            if (!r.path("duration").isNumber() || !(r.get("duration").asDouble() > 0)) return false;
            double duration = r.get("duration").asDouble();
            JsonNode ws = r.path("relevant_windows"), ids = r.path("relevant_clip_ids"), scores = r.path("saliency_scores");
            if (!ws.isArray() || ws.isEmpty() || !ids.isArray() || ids.isEmpty() || !scores.isArray() || scores.size() != ids.size()) return false;
            for (JsonNode w : ws) {
                if (w.size() != 2 || !w.get(0).isNumber() || !w.get(1).isNumber()) return false;
                if (!(0 <= w.get(0).asDouble() && w.get(0).asDouble() < w.get(1).asDouble() && w.get(1).asDouble() <= duration)) return false;
            }
            Set<Integer> clips = new HashSet<>();
            for (JsonNode id : ids) {
                if (!id.isIntegralNumber() || id.asInt() < 0 || id.asInt() >= (int) (duration / 2) || !clips.add(id.asInt())) return false;
            }
            for (JsonNode s : scores) {
                if (!s.isArray() || s.size() != 3) return false;
                for (JsonNode v : s) if (!v.isIntegralNumber() || v.asInt() < 0 || v.asInt() > 4) return false;
            }
        }
        return true;
    }

    static boolean validSubmission(byte[] bytes) {
        List<JsonNode> rows = objects(bytes, false); // as Python's load_jsonl, which fails on an empty line
        if (rows == null || rows.isEmpty()) return false;
        Set<Double> qids = new HashSet<>();
        for (JsonNode r : rows) {
            if (!r.path("qid").isNumber() || !qids.add(r.get("qid").asDouble())) return false;
            // the official evaluator reads the fields the first line has from every line
            for (String field : List.of("pred_relevant_windows", "pred_saliency_scores")) {
                if (rows.get(0).has(field) && !(r.path(field).isArray() && r.get(field).size() > 0)) return false;
            }
            for (JsonNode w : r.path("pred_relevant_windows")) {
                if (w.size() < 3) return false;
                for (JsonNode v : w) if (!v.isNumber()) return false;
                if (w.get(0).asDouble() > w.get(1).asDouble()) return false;
            }
            for (JsonNode v : r.path("pred_saliency_scores")) if (!v.isNumber()) return false;
        }
        return true;
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(tmp.resolve(name), bytes);
    }

    private static byte[] lines(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
