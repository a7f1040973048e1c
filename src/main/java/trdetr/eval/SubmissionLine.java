package trdetr.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.pyexact.PythonJson;

/**
 * One line of a submission jsonl as the official code writes it:
 * {@code {"qid", "query", "vid", "pred_relevant_windows": [[st, ed, score], ...], "pred_saliency_scores": [...]}}.
 *
 * @param qid      Integer/Long/BigInteger or String, written as it is
 * @param query    the query text
 * @param vid      the video id
 * @param windows  [start, end, score] rows, best first; null to leave the field out (TVSum has no windows)
 * @param saliency per clip (fp16 values as doubles; TVSum: float32); null to leave the field out (Charades-STA)
 */
public record SubmissionLine(Object qid, String query, String vid, List<double[]> windows, double[] saliency) {

    /** {@code json.dumps(line)}: key order as above, floats as Python prints them, non-ASCII escaped. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("qid", qid);
        m.put("query", query);
        m.put("vid", vid);
        if (windows != null) m.put("pred_relevant_windows", windows);
        if (saliency != null) m.put("pred_saliency_scores", saliency);
        return PythonJson.dumps(m);
    }

    /** The line as the evaluator sees it (what reading the written file back gives). */
    public SubmissionEntry toEntry() {
        List<double[]> w = null;
        if (windows != null) {
            w = new ArrayList<>(windows.size());
            for (double[] row : windows) w.add(row.clone());
        }
        return new SubmissionEntry(Qid.of(qid), w, saliency == null ? null : saliency.clone(), null);
    }
}
