package trdetr.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import trdetr.pyexact.PythonFloats;
import trdetr.pyexact.PythonJson;

/**
 * What the official evaluator returns, in its key order: "brief" (the MR keys sorted, then for each HL level
 * "-mAP" and "-Hit1"), then "HL-min-Fair", "HL-min-Good", "HL-min-VeryGood", then "full", "long", "middle",
 * "short". A part is absent when the submission's first line has no windows (MR) or no saliency (HL), or when the
 * dataset has none (Charades-STA: no HL; TVSum: only brief {"mAP"}).
 *
 * @param brief           the summary metrics
 * @param highlight       "HL-min-…" → scores (empty without saliency)
 * @param momentRetrieval "full", "long", "middle", "short" → scores (empty without windows)
 */
public record EvaluationResult(Map<String, Double> brief, Map<String, HighlightScores> highlight,
                               Map<String, SplitScores> momentRetrieval) {

    /** The nested map the official code builds (LinkedHashMaps, official order). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("brief", brief);
        highlight.forEach((k, v) -> m.put(k, v.toMap()));
        momentRetrieval.forEach((k, v) -> m.put(k, v.toMap()));
        return m;
    }

    /** {@code json.dumps(metrics, indent=4)}: the text of the official metrics file (no final newline). */
    public String toJson() {
        return PythonJson.dumps(toMap(), 4);
    }

    /**
     * The brief metrics as aligned "name  value" lines, for people: two decimals, as the official percentages are
     * rounded, or every digit of a value that has more (TVSum's mAP is a fraction rounded to five).
     */
    public String briefTable() {
        int w = brief.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        brief.forEach((k, v) -> {
            String two = PythonFloats.formatFixed(v, 2);
            sb.append(String.format("%-" + w + "s  %6s%n", k, !Double.isFinite(v) || Double.parseDouble(two) == v ? two : PythonFloats.repr(v)));
        });
        return sb.toString();
    }
}
