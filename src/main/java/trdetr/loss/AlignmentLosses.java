package trdetr.loss;

import trdetr.ops.Losses;
import trdetr.ops.Normalization;
import trdetr.tensor.Tensor;

/** The clip–text (CTC, local) and video–text (VTC, global) contrastive losses of official train.py (spec §4.6). */
public final class AlignmentLosses {
    private static final double TEMPERATURE = 0.07;

    private AlignmentLosses() {}

    /**
     * BCE-with-logits over every (sample, clip) of cos(clip, mean of normalised valid tokens)/0.07 against pos_mask;
     * padded clips contribute too (their logit is 0).
     */
    public static Tensor ctc(Tensor vid, Tensor txt, Tensor posMask, Tensor vidMask, Tensor txtMask) {
        Tensor v = Normalization.l2Normalize(vid, 2, 1e-12);
        Tensor t = Normalization.l2Normalize(txt, 2, 1e-12).mul(txtMask.unsqueeze(-1));
        Tensor global = t.sum(1, false).div(txtMask.unsqueeze(-1).sum(1, false));               // (B, d)
        Tensor sim = v.matmul(global.unsqueeze(-1)).squeeze(-1).mul(vidMask);                  // (B, Lv)
        return Losses.bceWithLogits(sim.div(TEMPERATURE), posMask).mean();
    }

    /** Symmetric InfoNCE between the mean text and mean video embeddings of the batch. */
    public static Tensor vtc(Tensor txtCls, Tensor vidCls) {
        Tensor a = Normalization.l2Normalize(txtCls, 1, 1e-12), c = Normalization.l2Normalize(vidCls, 1, 1e-12);
        Tensor logits = a.matmul(c, false, true).div(TEMPERATURE);
        Tensor labels = Tensor.arange(logits.size(0));
        return Losses.crossEntropy(logits, labels).add(Losses.crossEntropy(logits.mT(), labels)).div(2.0);
    }
}
