package trdetr.eval;

import java.util.List;

/**
 * One line of a QVHighlights annotation file as the evaluator uses it. Fields that are absent or null are null here;
 * the evaluator reports them only if the metric it computes needs them (moment retrieval needs relevant_windows,
 * highlight detection duration, relevant_clip_ids and saliency_scores).
 *
 * @param qid             the query id
 * @param duration        video length in seconds
 * @param relevantWindows [start, end] rows (extra values ignored)
 * @param relevantClipIds ids of the 2-second clips that have saliency scores
 * @param saliencyScores  one row of annotator scores (0..4) per relevant clip
 * @param source          the jsonl line it was read from (null when built in memory)
 */
public record GroundTruthEntry(Qid qid, Double duration, List<double[]> relevantWindows, long[] relevantClipIds,
                               List<double[]> saliencyScores, JsonlLine source) {

    public static GroundTruthEntry fromJson(JsonlLine line) {
        Qid qid;
        try {
            qid = Qid.of(JsonFields.required(line, "qid"));
        } catch (IllegalArgumentException e) {
            throw line.error("\"qid\": " + e.getMessage());
        }
        return new GroundTruthEntry(qid, JsonFields.optionalNumber(line, "duration"), JsonFields.rows(line, "relevant_windows", 2),
                JsonFields.integers(line, "relevant_clip_ids"), JsonFields.rows(line, "saliency_scores", 0), line);
    }

    String where() {
        return source != null ? source.where() : "qid " + qid;
    }

    RuntimeException error(String message) {
        return source != null ? source.error(message) : new IllegalArgumentException("qid " + qid + ": " + message);
    }
}
