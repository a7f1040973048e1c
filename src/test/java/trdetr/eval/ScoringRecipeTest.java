package trdetr.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import trdetr.data.DatasetKind;
import trdetr.pyexact.Float16;

/** What each dataset's benchmark puts in a submission line and how it scores one, on hand-made lines. */
class ScoringRecipeTest {
    private static GroundTruthEntry gt(Object qid, List<double[]> windows, List<double[]> label) {
        return new GroundTruthEntry(Qid.of(qid), 30.0, windows, null, null, label, null, null);
    }

    private static QueryOutputs outputs(Object qid) {
        return new QueryOutputs(qid, "q", "v", 30.37, new float[] {0.9f, 0.2f}, new float[][] {{0.3f, 0.2f}, {0.6f, 0.1f}},
                new float[] {0.123456789f, -1.5f, 7f}, 2);
    }

    @Test
    void charadesIsScoredOnMomentsOverLighthousesSingleRange() {
        // Windows of 4 s and 0 s: the official short/middle/long ranges would leave "long" empty and fail; Lighthouse's
        // (0, 1500] drops the zero-length window, so the second query has nothing to be scored on and is left out.
        List<GroundTruthEntry> truth = List.of(gt(1, List.of(new double[] {2, 6}), null), gt(2, List.of(new double[] {5, 5}), null));
        List<SubmissionEntry> sub = List.of(
                new SubmissionEntry(Qid.of(1), List.of(new double[] {2, 6, 0.9}), new double[] {1, 2}, null),
                new SubmissionEntry(Qid.of(2), List.of(new double[] {0, 4, 0.9}), new double[] {1, 2}, null));
        EvaluationResult r = ScoringRecipe.CHARADES.evaluate(sub, truth, true, 100);
        assertThat(r.brief().keySet()).containsExactly("MR-full-R1@0.5", "MR-full-R1@0.7", "MR-full-mAP", "MR-full-mAP@0.5", "MR-full-mAP@0.75");
        assertThat(r.brief()).containsEntry("MR-full-R1@0.5", 100.0).containsEntry("MR-full-mAP", 100.0);
        assertThat(r.highlight()).isEmpty();
        assertThat(r.toMap().keySet()).containsExactly("brief", "full");
    }

    @Test
    void submissionLinesCarryTheFieldsTheirMetricScores() {
        PredictionPostProcessor official = new PredictionPostProcessor();
        SubmissionLine hl = ScoringRecipe.QVHIGHLIGHTS.line(outputs(7L), official);
        assertThat(hl.windows()).hasSize(2);
        assertThat(hl.saliency()).containsExactly(Float16.round(0.123456789f), -1.5);

        SubmissionLine ch = ScoringRecipe.CHARADES.line(outputs(7L), ScoringRecipe.CHARADES.postProcessor(1));
        assertThat(ch.saliency()).isNull();
        assertThat(ch.windows().get(0)).containsExactly(6.0, 12.0, 0.9); // (0.3 ∓ 0.1)·30.37 → 6.074, 12.148 on 1-s clips
        assertThat(ch.toJson()).doesNotContain("pred_saliency_scores");

        SubmissionLine tv = ScoringRecipe.TVSUM.line(outputs("yt"), official);
        assertThat(tv.windows()).isNull();
        assertThat(tv.saliency()).containsExactly((double) 0.123456789f, -1.5); // float32, not fp16, cut to the valid length
        assertThat(tv.toJson()).doesNotContain("pred_relevant_windows");
    }

    @Test
    void tvsumNeedsTheLabelMatrix() {
        List<SubmissionEntry> sub = List.of(new SubmissionEntry(Qid.of("yt"), null, new double[] {0.1, 0.2}, null));
        assertThatThrownBy(() -> ScoringRecipe.TVSUM.evaluate(sub, List.of(gt("yt", null, null)), true, 100))
                .hasMessageContaining("qid \"yt\"").hasMessageContaining("missing field \"label\"");
        List<GroundTruthEntry> ragged = List.of(gt("yt", null, List.of(new double[] {1, 2}, new double[] {3})));
        assertThatThrownBy(() -> ScoringRecipe.TVSUM.evaluate(sub, ragged, true, 100)).hasMessageContaining("\"label\"[1] has 1 scores");
        EvaluationResult r = ScoringRecipe.TVSUM.evaluate(sub, List.of(gt("yt", null, List.of(new double[] {1, 5}, new double[] {5, 1}))), true, 100);
        assertThat(r.toJson()).startsWith("{\n    \"brief\": {\n        \"mAP\": ");
    }

    @Test
    void everyDatasetKindHasABenchmarkWhoseSelectionMetricItReports() {
        assertThat(ScoringRecipe.of(DatasetKind.QVHIGHLIGHTS_PRETRAIN)).isEqualTo(ScoringRecipe.QVHIGHLIGHTS);
        assertThat(ScoringRecipe.of(DatasetKind.CHARADES).selectionMetric()).isEqualTo("MR-full-mAP");
        assertThat(ScoringRecipe.of(DatasetKind.TVSUM).selectionMetric()).isEqualTo(TvSumEvaluator.MAP);
        assertThat(ScoringRecipe.TVSUM.hasWindows()).isFalse();
    }
}
