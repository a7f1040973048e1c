package trdetr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The highlight AP against the official {@code get_ap} (scikit-learn), values recorded by tools/make_eval_fixtures.py. */
class SaliencyAveragePrecisionTest {
    private static double[] doubles(JsonNode n) {
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++) d[i] = n.get(i).doubleValue();
        return d;
    }

    @Test
    void saliencyApMatchesTheOfficialGetAp() throws Exception {
        int checked = 0;
        for (JsonNode c : OfficialFixtures.json("numerics.json").get("get_ap")) {
            double ap = SaliencyAveragePrecision.compute(doubles(c.get("y_true")), doubles(c.get("y_score")));
            assertThat(ap).as("get_ap(%s, %s)", c.get("y_true"), c.get("y_score")).isEqualTo(c.get("ap").doubleValue());
            checked++;
        }
        assertThat(checked).isPositive();
    }
}
