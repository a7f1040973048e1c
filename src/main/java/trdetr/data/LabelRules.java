package trdetr.data;

import trdetr.tensor.Generator;

/**
 * Chooses the label rules of a dataset kind (spec §5.3, §9) and computes one sample's labels. Draws from
 * {@code gen} in the official order: span shuffle first, then the saliency sampling.
 */
public final class LabelRules {
    private LabelRules() {}

    /**
     * @param ctxL       the sample's feature length (video rows after truncation)
     * @param clipLength seconds per clip
     * @param maxWindows span labels kept
     */
    public static SampleLabels of(DatasetKind kind, Annotation a, int ctxL, double clipLength, int maxWindows, Generator gen) {
        try {
            return switch (kind) {
                case QVHIGHLIGHTS -> {
                    float[] posMask = PositiveMask.fromClipIds(a.relevantClipIds(), ctxL);
                    float[][] spans = SpanLabels.of(a.relevantWindows(), ctxL, clipLength, maxWindows, gen);
                    SaliencyLabels.Result s = SaliencyLabels.of(a.relevantClipIds(), a.saliencyScores(), ctxL, gen);
                    yield new SampleLabels(spans, s.pos(), s.neg(), s.all(), posMask);
                }
                case QVHIGHLIGHTS_PRETRAIN -> {
                    float[] posMask = PositiveMask.fromClipIds(a.relevantClipIds(), ctxL);
                    float[][] spans = SpanLabels.of(a.relevantWindows(), ctxL, clipLength, maxWindows, gen);
                    SaliencyLabels.Result s = SubtitleSaliencyLabels.of(a.relevantWindows()[0], clipLength, ctxL, gen);
                    yield new SampleLabels(spans, s.pos(), s.neg(), s.all(), posMask);
                }
                case CHARADES -> {
                    // Lighthouse: span labels as QVHighlights, pos_mask and binary saliency from the first window.
                    float[][] spans = SpanLabels.of(a.relevantWindows(), ctxL, clipLength, maxWindows, gen);
                    float[] posMask = PositiveMask.fromFirstWindow(a.relevantWindows()[0], clipLength, ctxL);
                    SaliencyLabels.Result s = SubtitleSaliencyLabels.of(a.relevantWindows()[0], clipLength, ctxL, gen);
                    yield new SampleLabels(spans, s.pos(), s.neg(), s.all(), posMask);
                }
                case TVSUM -> TvsumLabels.of(a.label(), ctxL);
            };
        } catch (IllegalArgumentException e) {
            throw new trdetr.io.FormatException(a.source(), "line " + a.line() + ", " + a.describe() + ": " + e.getMessage()
                    + " (feature length " + ctxL + ")");
        }
    }
}
