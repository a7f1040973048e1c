package trdetr.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.io.FormatException;

/** The eval command's checks of a submission and a ground-truth file (docs/data-validation.md). */
class InputChecksTest {
    @TempDir Path tmp;

    static final String GT = "{\"qid\": 1, \"query\": \"q\", \"duration\": 150, \"vid\": \"v\", \"relevant_clip_ids\": [10, 11], "
            + "\"saliency_scores\": [[4, 4, 4], [0, 0, 0]], \"relevant_windows\": [[20, 24]]}";
    static final String PRED = "{\"qid\": 1, \"pred_relevant_windows\": [[20, 24, 0.9], [30, 30, 0.5]], \"pred_saliency_scores\": [0.1, 0.2]}";

    private Path file(String name, String... lines) throws Exception {
        return Files.writeString(tmp.resolve(name), String.join("\n", lines) + "\n");
    }

    @Test
    void aRepeatedQidInASubmissionIsRefusedNamingFileLineAndQid() throws Exception {
        Path ok = file("ok.jsonl", PRED, PRED.replace("\"qid\": 1", "\"qid\": 2"));
        assertThatCode(() -> InputChecks.submission(StandaloneEvaluator.readSubmission(ok))).doesNotThrowAnyException();
        // 1.0 is the same dict key as 1 in Python, so it repeats qid 1
        Path f = file("sub.jsonl", PRED, PRED.replace("\"qid\": 1", "\"qid\": 2"), PRED.replace("\"qid\": 1", "\"qid\": 1.0"));
        assertThatThrownBy(() -> InputChecks.submission(StandaloneEvaluator.readSubmission(f))).isInstanceOf(FormatException.class)
                .hasMessage(f + ": line 3: qid 1.0 is repeated (first at line 1)");
    }

    @Test
    void aReversedPredictedWindowIsRefusedAZeroLengthOneIsNot() throws Exception {
        Path f = file("sub.jsonl", PRED.replace("[30, 30, 0.5]", "[31.5, 30, 0.5]"));
        assertThatThrownBy(() -> InputChecks.submission(StandaloneEvaluator.readSubmission(f))).isInstanceOf(FormatException.class)
                .hasMessage(f + ": line 1: qid 1: pred_relevant_windows entry 1 [31.5, 30] has start > end");
    }

    @Test
    void aNaNPredictedWindowIsRefused() throws Exception {
        Path f = file("sub.jsonl", PRED.replace("[30, 30, 0.5]", "[NaN, 30, 0.5]"));
        assertThatThrownBy(() -> InputChecks.submission(StandaloneEvaluator.readSubmission(f))).isInstanceOf(FormatException.class)
                .hasMessage(f + ": line 1: qid 1: pred_relevant_windows entry 1 [NaN, 30] is not a pair of finite numbers");
    }

    @Test
    void groundTruthRowsFollowTheAnnotationRules() throws Exception {
        String[][] cases = {
            {"[[20, 24]]", "[[24, 20]]", "qid 1: window [24, 20] has start > end"},
            {"[[20, 24]]", "[[20, 151]]", "qid 1: window [20, 151] ends after the video (duration 150)"},
            {"\"duration\": 150", "\"duration\": 0", "qid 1: duration 0 is not positive"},
            {"[[4, 4, 4], [0, 0, 0]]", "[[4, 4], [0, 0]]", "qid 1: saliency_scores row 0 has 2 scores, expected one per annotator (3)"},
            {"[10, 11]", "[10, 10]", "qid 1: relevant_clip_ids entry 1 repeats clip 10"},
            {"[10, 11]", "[10, -1]", "qid 1: relevant_clip_ids entry 1 (-1) is not a clip of the video (duration 150 has clips 0..74)"},
            // NaN fails every comparison; the eval reader takes NaN and Infinity as numbers
            {"[[20, 24]]", "[[NaN, 24]]", "qid 1: window [NaN, 24] is not a pair of finite numbers"},
            {"\"duration\": 150", "\"duration\": Infinity", "qid 1: duration Infinity is not a number of seconds"},
        };
        for (String[] c : cases) {
            Path f = file("gt.jsonl", GT.replace("\"qid\": 1", "\"qid\": 0"), GT.replace(c[0], c[1]));
            assertThatThrownBy(() -> InputChecks.groundTruth(StandaloneEvaluator.readGroundTruth(f))).as(c[1])
                    .isInstanceOf(FormatException.class).hasMessage(f + ": line 2: " + c[2]);
        }
        Path dup = file("gt.jsonl", GT, GT);
        assertThatThrownBy(() -> InputChecks.groundTruth(StandaloneEvaluator.readGroundTruth(dup)))
                .hasMessage(dup + ": line 2: qid 1 is repeated (first at line 1)");
    }

    @Test
    void theOfficialSampleAndItsGroundTruthPass() throws Exception {
        Path dir = Path.of("..", "shared", "fixtures", "official");
        Assumptions.assumeTrue(Files.isDirectory(dir), "../shared/fixtures/official is absent");
        InputChecks.submission(StandaloneEvaluator.readSubmission(dir.resolve("standalone_eval/sample_val_preds.jsonl")));
        for (String gt : new String[] {"highlight_val_release.jsonl", "highlight_train_release.jsonl", "highlight_test_release.jsonl",
                "charades/charades_sta_val_tvr_format.jsonl", "tvsum/tvsum_val.jsonl"}) {
            InputChecks.groundTruth(StandaloneEvaluator.readGroundTruth(dir.resolve("data").resolve(gt)));
        }
    }

    @Test
    void nonUtf8NamesTheLine() throws Exception {
        Path f = tmp.resolve("bad.jsonl");
        Files.write(f, (PRED + "\n{\"qid\": 2, \"x\": \"\u00ff\"}\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> StandaloneEvaluator.readSubmission(f)).isInstanceOf(FormatException.class)
                .hasMessage(f + ": line 2: not UTF-8 text (byte 0xff at byte 18 of the line)");
        assertThat(Files.size(f)).isPositive();
    }
}
