package trdetr.eval;

/**
 * What the model gives for one query, plus the annotation fields a submission line repeats: the input of
 * {@link PredictionPostProcessor}.
 *
 * @param qid         the query id as it should be written (Integer/Long for QVHighlights, or a String)
 * @param query       the query text
 * @param vid         the video id
 * @param duration    the video duration from the annotation, in seconds (used as float32, as the official code does)
 * @param foreground  per decoder query, the foreground probability {@code softmax(pred_logits)[..., 0]} (float32)
 * @param spans       per decoder query, the normalised span (center, width) ({@code pred_spans}, float32)
 * @param saliency    the saliency row of the batch ({@code saliency_scores}, float32, at least validLength long)
 * @param validLength the number of real clips ({@code src_vid_mask.sum()})
 */
public record QueryOutputs(Object qid, String query, String vid, double duration, float[] foreground, float[][] spans,
                           float[] saliency, int validLength) {
    public QueryOutputs {
        if (foreground.length != spans.length) throw new IllegalArgumentException("foreground and spans differ in query count");
        for (float[] s : spans) {
            if (s.length != 2) throw new IllegalArgumentException("a span must be (center, width)");
        }
        if (validLength < 0 || validLength > saliency.length) {
            throw new IllegalArgumentException("valid length " + validLength + " outside the saliency row of " + saliency.length);
        }
    }
}
