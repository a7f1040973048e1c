package trdetr.data;

/**
 * One dataset item before collation: the official {@code dict(meta=..., model_inputs=...)}.
 *
 * @param index      position in the dataset (file order, after data_ratio/domain filtering and skipping)
 * @param annotation the jsonl row
 * @param text       (Lq, Dt) query token features
 * @param video      (ctx_l, Dv [+2 TEF]) clip features
 * @param audio      (ctx_l, Da [+2 TEF]) audio features, or null without audio
 * @param labels     training labels, or null when labels are not loaded
 */
public record Sample(int index, Annotation annotation, FloatMatrix text, FloatMatrix video, FloatMatrix audio, SampleLabels labels) {
    /** The feature length ctx_l the labels refer to. */
    public int ctxLength() { return video.rows(); }
}
