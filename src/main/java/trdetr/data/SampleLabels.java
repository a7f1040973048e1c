package trdetr.data;

/**
 * The training labels of one sample (spec §5.3), before collation.
 *
 * @param spans     (n, 2) normalised (center, width) windows; TVSum has the dummy [[0, 0]]
 * @param posLabels K positive clip indices for the margin loss (QVHighlights, pretraining, Charades: 2; TVSum: 1)
 * @param negLabels K negative clip indices
 * @param allLabels saliency_all_labels; normally ctx_l long, but one longer (ctx_l + 1) under the official
 *                  growth quirk for a clip id equal to ctx_l, and shorter for TVSum when the label matrix has fewer
 *                  rows than the features
 * @param posMask   CTC labels (1 at relevant clips); longer than ctx_l under the official clip-id ≥ ctx_l quirk
 */
public record SampleLabels(float[][] spans, long[] posLabels, long[] negLabels, float[] allLabels, float[] posMask) {}
