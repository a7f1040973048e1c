package trdetr.eval;

import java.util.List;

/**
 * One line of an annotation file as the evaluators use it. Fields that are absent or null are null here; an evaluator
 * reports them only if the metric it computes needs them (moment retrieval needs relevant_windows, QVHighlights'
 * highlight detection duration, relevant_clip_ids and saliency_scores, TVSum's label).
 *
 * @param qid             the query id
 * @param duration        video length in seconds
 * @param relevantWindows [start, end] rows (extra values ignored)
 * @param relevantClipIds ids of the 2-second clips that have saliency scores
 * @param saliencyScores  one row of annotator scores (0..4) per relevant clip
 * @param label           TVSum: one row of annotator scores (1..5) per clip
 * @param domain          TVSum: the video's category
 * @param source          the jsonl line it was read from (null when built in memory)
 */
public record GroundTruthEntry(Qid qid, Double duration, List<double[]> relevantWindows, long[] relevantClipIds,
                               List<double[]> saliencyScores, List<double[]> label, String domain, JsonlLine source) {

    public static GroundTruthEntry fromJson(JsonlLine line) {
        Qid qid;
        try {
            qid = Qid.of(JsonFields.required(line, "qid"));
        } catch (IllegalArgumentException e) {
            throw line.error("\"qid\": " + e.getMessage());
        }
        return new GroundTruthEntry(qid, JsonFields.optionalNumber(line, "duration"), JsonFields.rows(line, "relevant_windows", 2),
                JsonFields.integers(line, "relevant_clip_ids"), JsonFields.rows(line, "saliency_scores", 0),
                JsonFields.rows(line, "label", 1), JsonFields.optionalString(line, "domain"), line);
    }

    String where() {
        return source != null ? source.where() : "qid " + qid;
    }

    RuntimeException error(String message) {
        return source != null ? source.error(message) : new IllegalArgumentException("qid " + qid + ": " + message);
    }
}
