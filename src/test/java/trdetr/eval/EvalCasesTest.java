package trdetr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Synthetic corner cases (tools/make_eval_fixtures.py) against the official evaluator's output, text for text. */
class EvalCasesTest {

    @ParameterizedTest
    @ValueSource(strings = {"mixed", "many_gt_windows", "hl_only", "repeated_qids", "random"})
    void matchesTheOfficialEvaluator(String name) throws Exception {
        Path dir = OfficialFixtures.resource("cases/" + name + "/expected.json").getParent();
        EvaluationResult r = StandaloneEvaluator.evaluateFiles(dir.resolve("submission.jsonl"), dir.resolve("gt.jsonl"));
        assertThat(r.toJson()).isEqualTo(Files.readString(dir.resolve("expected.json")));
    }
}
