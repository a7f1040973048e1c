package trdetr.data;

import java.util.List;
import trdetr.backend.Backend;
import trdetr.loss.Targets;
import trdetr.tensor.Tensor;

/**
 * A collated batch (spec §5.4): model inputs as float32 tensors (on the CPU as collated; {@link #to} moves them), zero-padded at the end to the batch maxima,
 * with float valid masks (1 = real row), the training targets, and per-sample metadata for writing predictions.
 *
 * @param annotations  the rows, in batch order (qid, query, vid, duration, ...)
 * @param indices      their dataset indices
 * @param srcTxt       (B, Lt, Dt)
 * @param srcTxtMask   (B, Lt) valid mask
 * @param srcVid       (B, Lv, Dv)
 * @param srcVidMask   (B, Lv) valid mask
 * @param srcAud       (B, Lv, Da), or null without audio
 * @param srcAudMask   (B, Lv), or null without audio
 * @param targets      labels (spans (n_b, 2) float32; pos/neg (B, K) INT64; saliency_all_labels and pos_mask (B, Lv)
 *                     float32), or null when the dataset loads no labels
 * @param textLengths  valid text rows per sample
 * @param videoLengths valid clips per sample (the prediction's saliency length)
 */
public record Batch(List<Annotation> annotations, int[] indices, Tensor srcTxt, Tensor srcTxtMask, Tensor srcVid, Tensor srcVidMask,
                    Tensor srcAud, Tensor srcAudMask, Targets targets, int[] textLengths, int[] videoLengths) {

    public int size() { return annotations.size(); }

    public Annotation annotation(int b) { return annotations.get(b); }

    /** Σ src_vid_mask[b]: how many saliency scores belong to sample b. */
    public int validLength(int b) { return videoLengths[b]; }

    /** This batch with every tensor on backend (itself when they are there already). */
    public Batch to(Backend backend) {
        if (srcVid.backend() == backend) return this;
        return new Batch(annotations, indices, move(srcTxt, backend), move(srcTxtMask, backend), move(srcVid, backend),
                move(srcVidMask, backend), move(srcAud, backend), move(srcAudMask, backend),
                targets == null ? null : targets.to(backend), textLengths, videoLengths);
    }

    private static Tensor move(Tensor t, Backend backend) { return t == null ? null : t.to(backend); }

    /** Padded video length Lv. */
    public int videoLength() { return srcVid.shape()[1]; }
}
