package trdetr.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TVSum's evaluation ({@code compute_hl_results}, spec §6) of a submission: each line's {@code pred_saliency_scores}
 * against its video's {@code label} matrix, scored by {@link TvSumMetric} in submission order with the official
 * per-batch averaging. The result holds only {@code brief = {"mAP": …}}, as the official run saves it
 * ({@code latest_metric.jsonl} = {@code [{"brief": {"mAP": …}}]}); there is no moment-retrieval part, TVSum having
 * no windows.
 */
public final class TvSumEvaluator {
    private TvSumEvaluator() {}

    /** The metric's key in the brief (the official stop score for TVSum). */
    public static final String MAP = "mAP";

    /**
     * @param matchNumber as for {@link StandaloneEvaluator}: the qid sets must be equal, or only common qids count
     * @param batchSize   the evaluation batch size the predictions were made with: the official averaging keeps only
     *                    the last video of each batch (harmless with the official one validation video per domain)
     */
    public static EvaluationResult evaluate(List<SubmissionEntry> submission, List<GroundTruthEntry> groundTruth, boolean matchNumber,
                                            int batchSize) {
        StandaloneEvaluator.Matched m = StandaloneEvaluator.match(submission, groundTruth, matchNumber);
        Map<Qid, GroundTruthEntry> byQid = new LinkedHashMap<>();
        m.groundTruth().forEach(g -> byQid.putIfAbsent(g.qid(), g));
        List<float[]> saliency = new ArrayList<>();
        List<double[][]> labels = new ArrayList<>();
        for (SubmissionEntry s : m.submission()) {
            if (s.saliency() == null) throw s.error("missing field \"pred_saliency_scores\" (TVSum is scored on saliency alone)");
            float[] row = new float[s.saliency().length];
            for (int i = 0; i < row.length; i++) row[i] = (float) s.saliency()[i]; // the model's float32 values
            saliency.add(row);
            labels.add(labelMatrix(byQid.get(s.qid())));
        }
        Map<String, Double> brief = new LinkedHashMap<>();
        brief.put(MAP, TvSumMetric.meanAp(saliency, labels, batchSize, TvSumMetric.Averaging.OFFICIAL_LAST_VIDEO_PER_BATCH));
        return new EvaluationResult(brief, Map.of(), Map.of());
    }

    /** The (clips × annotators) matrix of a ground-truth line, checked to be non-empty and rectangular. */
    private static double[][] labelMatrix(GroundTruthEntry g) {
        if (g.label() == null) throw g.error("missing field \"label\" (TVSum's per-clip annotator scores)");
        if (g.label().isEmpty()) throw g.error("\"label\" has no rows");
        int annotators = g.label().get(0).length;
        for (int r = 0; r < g.label().size(); r++) {
            if (g.label().get(r).length != annotators) {
                throw g.error("\"label\"[" + r + "] has " + g.label().get(r).length + " scores, the first row " + annotators);
            }
        }
        return g.label().toArray(new double[0][]);
    }
}
