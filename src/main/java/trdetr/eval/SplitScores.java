package trdetr.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Moment-retrieval scores of one length split, already in the official form (×100, two decimals).
 *
 * @param map        "MR-mAP": "0.5", "0.55", …, "0.95", then "average"
 * @param recallAt1  "MR-R1": "0.5", …, "0.95"
 */
public record SplitScores(Map<String, Double> map, Map<String, Double> recallAt1) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("MR-mAP", map);
        m.put("MR-R1", recallAt1);
        return m;
    }
}
