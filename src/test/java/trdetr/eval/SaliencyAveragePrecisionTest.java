package trdetr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The highlight AP against the official {@code get_ap} (scikit-learn), values recorded by tools/make_eval_fixtures.py. */
class SaliencyAveragePrecisionTest {
    @Test
    void saliencyApMatchesTheOfficialGetAp() throws Exception {
        int checked = 0;
        for (JsonNode c : OfficialFixtures.json("numerics.json").get("get_ap")) {
            double[] yTrue = JsonlReader.MAPPER.treeToValue(c.get("y_true"), double[].class);
            double[] yScore = JsonlReader.MAPPER.treeToValue(c.get("y_score"), double[].class);
            assertThat(SaliencyAveragePrecision.compute(yTrue, yScore)).as("get_ap(%s, %s)", c.get("y_true"), c.get("y_score"))
                    .isEqualTo(c.get("ap").doubleValue());
            checked++;
        }
        assertThat(checked).isPositive();
    }
}
