package trdetr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.pyexact.PythonJson;

/** Submission lines and NMS against the official post-processing (tools/make_eval_fixtures.py), and the writer. */
class PredictionPostProcessorTest {
    private static JsonNode fixtures;

    @BeforeAll
    static void load() throws Exception {
        fixtures = OfficialFixtures.json("postprocess.json");
    }

    private static float[] floats(JsonNode n) {
        float[] f = new float[n.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) n.get(i).doubleValue();
        return f;
    }

    private static Object qid(JsonNode n) {
        return n.isTextual() ? n.textValue() : (Object) n.longValue();
    }

    static List<QueryOutputs> outputs() {
        List<QueryOutputs> out = new ArrayList<>();
        for (JsonNode c : fixtures.get("lines")) {
            float[][] spans = new float[c.get("spans").size()][];
            for (int i = 0; i < spans.length; i++) spans[i] = floats(c.get("spans").get(i));
            out.add(new QueryOutputs(qid(c.get("qid")), c.get("query").textValue(), c.get("vid").textValue(),
                    c.get("duration").doubleValue(), floats(c.get("foreground")), spans, floats(c.get("saliency")),
                    c.get("valid_length").intValue()));
        }
        return out;
    }

    @Test
    void linesMatchTheOfficialComposeAndPostProcessorByteForByte() {
        PredictionPostProcessor pp = new PredictionPostProcessor();
        List<QueryOutputs> outs = outputs();
        for (int i = 0; i < outs.size(); i++) {
            String expected = fixtures.get("lines").get(i).get("line").textValue();
            assertThat(pp.process(outs.get(i)).toJson()).as("line %d", i).isEqualTo(expected);
        }
    }

    @Test
    void nmsMatchesTheOfficialTemporalNms() {
        for (JsonNode c : fixtures.get("nms")) {
            List<double[]> w = new ArrayList<>();
            for (JsonNode r : c.get("windows")) w.add(new double[] {r.get(0).doubleValue(), r.get(1).doubleValue(), r.get(2).doubleValue()});
            List<double[]> got = TemporalNms.apply(w, c.get("threshold").doubleValue(), c.get("max_before").intValue(), c.get("max_after").intValue());
            assertThat(PythonJson.dumps(got)).as("nms of %s", c).isEqualTo(PythonJson.dumps(JsonlReader.MAPPER.convertValue(c.get("expected"), List.class)));
        }
    }

    @Test
    void nmsOffLeavesTheLineAlone() {
        SubmissionLine line = new PredictionPostProcessor().process(outputs().get(0));
        assertThat(PredictionPostProcessor.applyNms(line, -1, 10, 10)).isSameAs(line);
        assertThat(PredictionPostProcessor.applyNms(line, 0.7, 10, 10).windows()).hasSizeLessThanOrEqualTo(10);
    }

    @Test
    void snappingRoundsHalfToEvenAndKeepsNegativeZero() {
        PredictionPostProcessor pp = new PredictionPostProcessor();
        assertThat(pp.snap(3f)).isEqualTo(4f);   // 1.5 → 2
        assertThat(pp.snap(5f)).isEqualTo(4f);   // 2.5 → 2
        assertThat(pp.snap(-3f)).isEqualTo(0f);
        assertThat(pp.snap(151f)).isEqualTo(150f);
        assertThat(Float.floatToRawIntBits(pp.snap(-0f))).isEqualTo(Float.floatToRawIntBits(-0f));
        PredictionPostProcessor oneSecond = new PredictionPostProcessor(1, 0, 300, true);
        assertThat(oneSecond.snap(200.5f)).isEqualTo(200f);
    }

    @Test
    void writerJoinsLinesWithoutAFinalNewlineAndTheEvaluatorReadsThemBack(@TempDir Path dir) throws Exception {
        PredictionPostProcessor pp = new PredictionPostProcessor();
        List<SubmissionLine> lines = new ArrayList<>();
        for (QueryOutputs q : outputs()) lines.add(pp.process(q));
        Path file = dir.resolve("sub.jsonl");
        Files.writeString(file, "old");
        SubmissionWriter.write(file, lines);
        String text = Files.readString(file);
        assertThat(text).doesNotEndWith("\n").isEqualTo(SubmissionWriter.toText(lines));
        assertThat(text.split("\n", -1)).hasSize(lines.size());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("sub.jsonl"); // no temp file left
        }
        List<JsonlLine> back = JsonlReader.read(file);
        for (int i = 0; i < lines.size(); i++) {
            SubmissionEntry read = SubmissionEntry.fromJson(back.get(i)), mem = lines.get(i).toEntry();
            assertThat(read.qid()).isEqualTo(mem.qid());
            assertThat(read.saliency()).containsExactly(mem.saliency());
            for (int k = 0; k < mem.windows().size(); k++) assertThat(read.windows().get(k)).containsExactly(mem.windows().get(k));
        }
    }

    /** Re-serialising a file the official code wrote must give the same bytes (float repr, key order, escaping). */
    private static void assertRoundTrips(Path file) throws Exception {
        String[] lines = Files.readString(file).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            JsonNode n = JsonlReader.parse(file, i + 1, lines[i]).node();
            List<double[]> w = new ArrayList<>();
            for (JsonNode r : n.get("pred_relevant_windows")) w.add(new double[] {r.get(0).doubleValue(), r.get(1).doubleValue(), r.get(2).doubleValue()});
            double[] s = new double[n.get("pred_saliency_scores").size()];
            for (int k = 0; k < s.length; k++) s[k] = n.get("pred_saliency_scores").get(k).doubleValue();
            SubmissionLine line = new SubmissionLine(qid(n.get("qid")), n.get("query").textValue(), n.get("vid").textValue(), w, s);
            assertThat(line.toJson()).as("%s line %d", file, i + 1).isEqualTo(lines[i]);
        }
    }

    @Test
    void theOfficialSampleSubmissionRoundTrips() throws Exception {
        assertRoundTrips(OfficialFixtures.shared("standalone_eval/sample_val_preds.jsonl"));
    }

    @Test
    void theReleasedValAndTestSubmissionsRoundTrip() throws Exception {
        String run = "checkpoint/[V_SOTA]hl-video_tef-exp-2023_07_24_20_09_00/";
        assertRoundTrips(OfficialFixtures.officialRepo(run + "hl_val_submission.jsonl"));
        assertRoundTrips(OfficialFixtures.officialRepo(run + "hl_test_submission.jsonl"));
    }
}
