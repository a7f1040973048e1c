package trdetr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StandaloneEvaluatorTest {

    @Test
    void reproducesTheOfficialSampleMetricsFileExactly() throws Exception {
        Path preds = OfficialFixtures.shared("standalone_eval/sample_val_preds.jsonl");
        Path gt = OfficialFixtures.shared("data/highlight_val_release.jsonl");
        Path expected = OfficialFixtures.shared("standalone_eval/sample_val_preds_metrics_raw.json");
        EvaluationResult r = StandaloneEvaluator.evaluateFiles(preds, gt);
        assertThat(r.toJson()).isEqualTo(Files.readString(expected));
    }
}
