package trdetr.eval;

import java.util.List;

/**
 * One line of a submission as the evaluator uses it.
 *
 * @param qid      the query id
 * @param windows  {@code pred_relevant_windows}: rows [start, end, score, ...] in the submitted order; null when the
 *                 line has no such field
 * @param saliency {@code pred_saliency_scores}, one per clip; null when absent
 * @param source   the jsonl line it was read from (null when built in memory), for error messages
 */
public record SubmissionEntry(Qid qid, List<double[]> windows, double[] saliency, JsonlLine source) {

    /** Reads the fields the evaluator needs; a present field with the wrong shape is an error naming the line. */
    public static SubmissionEntry fromJson(JsonlLine line) {
        Qid qid;
        try {
            qid = Qid.of(JsonFields.required(line, "qid"));
        } catch (IllegalArgumentException e) {
            throw line.error("\"qid\": " + e.getMessage());
        }
        return new SubmissionEntry(qid, JsonFields.rows(line, "pred_relevant_windows", 3),
                JsonFields.optionalNumbers(line, "pred_saliency_scores"), line);
    }

    /** "FILE line N" or "qid Q" for messages. */
    String where() {
        return source != null ? source.where() : "qid " + qid;
    }

    RuntimeException error(String message) {
        return source != null ? source.error(message) : new IllegalArgumentException("qid " + qid + ": " + message);
    }
}
