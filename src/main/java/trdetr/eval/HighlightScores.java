package trdetr.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/** Highlight-detection scores at one saliency level, in the official form (×100, two decimals). */
public record HighlightScores(double map, double hit1) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("HL-mAP", map);
        m.put("HL-Hit1", hit1);
        return m;
    }
}
