package trdetr.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.cli.UserError;
import trdetr.io.FormatException;
import trdetr.pyexact.PythonFloats;

class StandaloneEvaluatorTest {

    @Test
    void reproducesTheOfficialSampleMetricsFileExactly() throws Exception {
        Path preds = OfficialFixtures.shared("standalone_eval/sample_val_preds.jsonl");
        Path gt = OfficialFixtures.shared("data/highlight_val_release.jsonl");
        Path expected = OfficialFixtures.shared("standalone_eval/sample_val_preds_metrics_raw.json");
        EvaluationResult r = StandaloneEvaluator.evaluateFiles(preds, gt);
        assertThat(r.toJson()).isEqualTo(Files.readString(expected));
        assertThat(r.brief()).containsEntry("MR-full-R1@0.5", 53.94).containsEntry("MR-full-mAP", 32.2)
                .containsEntry("HL-min-VeryGood-Hit1", 55.55);
        assertThat(r.brief().keySet()).containsExactly("MR-full-R1@0.5", "MR-full-R1@0.7", "MR-full-mAP", "MR-full-mAP@0.5",
                "MR-full-mAP@0.75", "MR-long-mAP", "MR-middle-mAP", "MR-short-mAP", "HL-min-Fair-mAP", "HL-min-Fair-Hit1",
                "HL-min-Good-mAP", "HL-min-Good-Hit1", "HL-min-VeryGood-mAP", "HL-min-VeryGood-Hit1");
        assertThat(r.toMap().keySet()).containsExactly("brief", "HL-min-Fair", "HL-min-Good", "HL-min-VeryGood", "full", "long", "middle", "short");
    }

    @Test
    void reproducesTheReleasedRunsMetrics() throws Exception {
        Path gt = OfficialFixtures.shared("data/highlight_val_release.jsonl");
        String run = "checkpoint/[V_SOTA]hl-video_tef-exp-2023_07_24_20_09_00/";
        Path preds = OfficialFixtures.officialRepo(run + "hl_val_submission.jsonl");
        Path metrics = OfficialFixtures.officialRepo(run + "hl_val_submission_metrics.json");
        EvaluationResult r = StandaloneEvaluator.evaluateFiles(preds, gt);
        assertThat(r.toJson()).isEqualTo(Files.readString(metrics));
        assertThat(r.brief()).containsEntry("MR-full-R1@0.5", 67.10).containsEntry("MR-full-mAP", 45.09).containsEntry("HL-min-VeryGood-mAP", 40.55);
    }

    // ------------------------------------------------------------------ errors: one line naming the file and line

    private static List<String> lines(String caseName, String file) throws Exception {
        return new ArrayList<>(Files.readString(OfficialFixtures.resource("cases/" + caseName + "/" + file)).lines().toList());
    }

    private static Path write(Path dir, String name, List<String> lines) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines));
        return p;
    }

    private static Path gt(Path dir) throws Exception {
        return write(dir, "gt.jsonl", lines("mixed", "gt.jsonl"));
    }

    @Test
    void aMalformedLineNamesFileLineAndColumn(@TempDir Path dir) throws Exception {
        List<String> sub = lines("mixed", "submission.jsonl");
        sub.set(2, sub.get(2).substring(0, 40));
        Path p = write(dir, "sub.jsonl", sub);
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(p, gt(dir)))
                .isInstanceOf(FormatException.class).hasMessageStartingWith(p + ": line 3: not valid JSON")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aBlankLineInsideTheFileIsAnErrorButAFinalNewlineIsNot(@TempDir Path dir) throws Exception {
        List<String> sub = lines("mixed", "submission.jsonl");
        Path ok = dir.resolve("ok.jsonl");
        Files.writeString(ok, String.join("\n", sub) + "\n");
        assertThat(StandaloneEvaluator.evaluateFiles(ok, gt(dir)).brief()).isNotEmpty();
        sub.add(5, "");
        Path p = write(dir, "sub.jsonl", sub);
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(p, gt(dir))).hasMessage(p + ": line 6: empty line, expected a JSON object");
    }

    @Test
    void missingFieldsAreNamed(@TempDir Path dir) throws Exception {
        List<String> sub = lines("mixed", "submission.jsonl");
        sub.set(1, sub.get(1).replace("\"qid\"", "\"qidx\""));
        Path p = write(dir, "a.jsonl", sub);
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(p, gt(dir))).hasMessage(p + ": line 2: missing field \"qid\"");

        List<String> sub2 = lines("mixed", "submission.jsonl");
        sub2.set(4, sub2.get(4).replace("\"pred_relevant_windows\"", "\"windows\""));
        Path p2 = write(dir, "b.jsonl", sub2);
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(p2, gt(dir)))
                .hasMessage(p2 + ": line 5: missing field \"pred_relevant_windows\" (the first line has it)");

        List<String> g = lines("mixed", "gt.jsonl");
        g.set(6, g.get(6).replace("\"duration\"", "\"length\""));
        Path gp = write(dir, "g.jsonl", g);
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(write(dir, "s.jsonl", lines("mixed", "submission.jsonl")), gp))
                .hasMessage(gp + ": line 7: missing field \"duration\"");

        List<String> bad = lines("mixed", "submission.jsonl");
        bad.set(0, bad.get(0).replaceFirst("\\[\\[", "[[\"x\", "));
        Path p3 = write(dir, "c.jsonl", bad);
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(p3, gt(dir)))
                .hasMessageStartingWith(p3 + ": line 1: \"pred_relevant_windows\"[0][0] must be a number");
    }

    @Test
    void qidSetsMustMatch(@TempDir Path dir) throws Exception {
        List<String> sub = lines("mixed", "submission.jsonl");
        String dropped = sub.remove(3);
        Path p = write(dir, "sub.jsonl", sub);
        Path g = gt(dir);
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(p, g)).isInstanceOf(UserError.class)
                .hasMessage("the qids of the submission and the ground truth must match: 1 ground-truth qid(s) have no prediction (first: qid 100 at "
                        + g + " line 4)");
        sub.add(dropped.replace("\"qid\": 100", "\"qid\": \"100\""));
        Path p2 = write(dir, "sub2.jsonl", sub);
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(p2, g)).hasMessageContaining("1 predicted qid(s) are not in the ground truth (first: qid \"100\" at " + p2 + " line 46)");
        // match_number=False keeps the shared qids
        assertThat(StandaloneEvaluator.evaluateFiles(p, g, false).brief()).containsKey("MR-full-mAP");
    }

    @Test
    void whatCrashesTheOfficialEvaluatorIsAOneLineError(@TempDir Path dir) throws Exception {
        List<String> sub = lines("mixed", "submission.jsonl");
        sub.set(0, sub.get(0).replaceFirst("\"pred_relevant_windows\": \\[.*?\\]\\], ", "\"pred_relevant_windows\": [], "));
        Path p = write(dir, "sub.jsonl", sub);
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(p, gt(dir))).hasMessage(p + ": line 1: \"pred_relevant_windows\" is empty (the official evaluator fails on it)");

        // no short windows anywhere: the short split is empty
        Path sub1 = write(dir, "one.jsonl", List.of("{\"qid\": 1, \"pred_relevant_windows\": [[0, 40, 0.5]]}"));
        Path gt1 = write(dir, "gt1.jsonl", List.of("{\"qid\": 1, \"duration\": 150, \"relevant_windows\": [[0, 40]], \"relevant_clip_ids\": [0], \"saliency_scores\": [[1, 2, 3]]}"));
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(sub1, gt1)).isInstanceOf(UserError.class).hasMessageContaining("\"short\" length range");

        Path sub2 = write(dir, "two.jsonl", List.of("{\"qid\": 1, \"pred_saliency_scores\": [0.5, 0.1]}"));
        Path gt2 = write(dir, "gt2.jsonl", List.of("{\"qid\": 1, \"duration\": 10, \"relevant_windows\": [[0, 4]], \"relevant_clip_ids\": [5], \"saliency_scores\": [[1, 2, 3]]}"));
        assertThatThrownBy(() -> StandaloneEvaluator.evaluateFiles(sub2, gt2))
                .hasMessage(gt2 + ": line 1: relevant clip id 5 is outside the video's 5 clips (duration 10.0)");
    }

    @Test
    void aHighlightOnlySubmissionNeedsNoWindowsAnywhere(@TempDir Path dir) throws Exception {
        Path sub = write(dir, "s.jsonl", List.of("{\"qid\": 1, \"pred_saliency_scores\": [0.5, 0.1, 0.2]}",
                "{\"qid\": 2, \"pred_saliency_scores\": [0.1, 0.1, 0.9, 0.0]}"));
        Path gt = write(dir, "g.jsonl", List.of(
                "{\"qid\": 1, \"duration\": 6, \"relevant_clip_ids\": [0, 2], \"saliency_scores\": [[4, 2, 0], [1, 3, 4]]}",
                "{\"qid\": 2, \"duration\": 9, \"relevant_clip_ids\": [2], \"saliency_scores\": [[2, 2, 2]]}"));
        EvaluationResult r = StandaloneEvaluator.evaluateFiles(sub, gt);
        assertThat(r.momentRetrieval()).isEmpty();
        // Fair: q1 labels per annotator [1,0,0] [1,0,1] [0,0,1] with scores [0.5,0.1,0.2] → AP 1, 1, 0.5 (2nd clip
        // ranked before it is the negative 0.2... see below); q2 labels [0,0,1,0] ×3, scores ranked it first → AP 1.
        // q1 annotator 3: positive clip 2 scores 0.2, below clip 0 (0.5): precision 1/2 → AP 0.5. Mean (1+1+0.5+3)/6.
        assertThat(r.highlight().get("HL-min-Fair").map()).isEqualTo(PythonFloats.percent2(5.5 / 6));
        // Hit@1: q1's top clip 0 has Fair labels [1, 0, 0] → 1; q2's top clip 2 → 1.
        assertThat(r.highlight().get("HL-min-Fair").hit1()).isEqualTo(100.0);
        assertThat(r.highlight().get("HL-min-VeryGood").hit1()).isEqualTo(50.0);
        assertThat(r.toJson()).startsWith("{\n    \"brief\": {\n        \"HL-min-Fair-mAP\": 91.67,");
    }
}
