package trdetr.eval;

import java.util.List;
import trdetr.data.DatasetKind;

/**
 * What a dataset asks of a trained model: which fields its submission lines carry, how they are scored, and which
 * metric picks the best checkpoint (spec §4.8, §6, §7, §9).
 *
 * <ul>
 *   <li>{@link #QVHIGHLIGHTS}: windows and fp16 saliency, the official evaluator, selection by MR-full-mAP.</li>
 *   <li>{@link #CHARADES}: the official code has no path for Charades-STA, so Lighthouse's recipe: windows only (its
 *       annotations have no saliency scores), post-processed with the dataset's own clip length, scored on moment
 *       retrieval over Lighthouse's single "full" range; selection by MR-full-mAP.</li>
 *   <li>{@link #TVSUM}: saliency only, kept in float32 as {@code compute_hl_results} uses it (TVSum has no windows),
 *       scored by the top-5 mAP of {@link TvSumEvaluator}; selection by that "mAP", as the official {@code train_hl}.</li>
 * </ul>
 */
public enum ScoringRecipe {
    QVHIGHLIGHTS("MR-full-mAP"),
    CHARADES("MR-full-mAP"),
    TVSUM(TvSumEvaluator.MAP);

    private final String selectionMetric;

    ScoringRecipe(String selectionMetric) { this.selectionMetric = selectionMetric; }

    /** The recipe of an annotation format (QVHighlights pretraining rows are scored as QVHighlights). */
    public static ScoringRecipe of(DatasetKind kind) {
        return switch (kind) {
            case QVHIGHLIGHTS, QVHIGHLIGHTS_PRETRAIN -> QVHIGHLIGHTS;
            case CHARADES -> CHARADES;
            case TVSUM -> TVSUM;
        };
    }

    /** The brief metric that selects the best checkpoint (higher is better) and drives early stopping. */
    public String selectionMetric() { return selectionMetric; }

    /** Whether the dataset has moments to retrieve; without them training has no span targets to match (spec §4.8). */
    public boolean hasWindows() { return this != TVSUM; }

    /**
     * The window post-processor: the official one (clip 2, [0, 150] s, hard-coded for every dataset) for QVHighlights;
     * Lighthouse's for Charades-STA, with the dataset's clip length (1 s there) and the same 150 s ceiling.
     */
    public PredictionPostProcessor postProcessor(double clipLength) {
        return this == CHARADES
                ? new PredictionPostProcessor(clipLength, PredictionPostProcessor.DEFAULT_MIN_TS, PredictionPostProcessor.DEFAULT_MAX_TS, true)
                : new PredictionPostProcessor();
    }

    /** One query's submission line, with the fields this recipe scores. */
    public SubmissionLine line(QueryOutputs q, PredictionPostProcessor post) {
        return switch (this) {
            case QVHIGHLIGHTS -> post.process(q);
            case CHARADES -> {
                SubmissionLine full = post.process(q);
                yield new SubmissionLine(full.qid(), full.query(), full.vid(), full.windows(), null);
            }
            case TVSUM -> {
                double[] saliency = new double[q.validLength()];
                for (int i = 0; i < saliency.length; i++) saliency[i] = q.saliency()[i];
                yield new SubmissionLine(q.qid(), q.query(), q.vid(), null, saliency);
            }
        };
    }

    /**
     * Scores a submission against its ground truth.
     *
     * @param matchNumber the qid sets must be equal (the official default), or only common qids count
     * @param batchSize   the evaluation batch size of the predictions (TVSum's official averaging depends on it)
     */
    public EvaluationResult evaluate(List<SubmissionEntry> submission, List<GroundTruthEntry> groundTruth, boolean matchNumber, int batchSize) {
        return switch (this) {
            case QVHIGHLIGHTS -> StandaloneEvaluator.evaluate(submission, groundTruth, matchNumber);
            case CHARADES -> StandaloneEvaluator.evaluate(submission, groundTruth, matchNumber, LengthSplit.LIGHTHOUSE, false);
            case TVSUM -> TvSumEvaluator.evaluate(submission, groundTruth, matchNumber, batchSize);
        };
    }
}
