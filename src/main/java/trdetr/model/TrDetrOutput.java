package trdetr.model;

import java.util.List;
import trdetr.tensor.Tensor;

/**
 * The model's outputs (spec §2.11).
 *
 * @param predLogits  (B, Q, 2) last decoder layer; class 0 = foreground
 * @param predSpans   (B, Q, 2) normalised (center, width)
 * @param saliency    (B, Lv) MR2HD saliency, padded positions included
 * @param aux         earlier decoder layers' (logits, spans)
 * @param srcVidEd    (B, Lv, d) projected video V0; srcTxtEd (B, Lt, d) projected text T0
 * @param srcVidClsEd (B, d) mean of V0 over all rows; srcTxtClsEd likewise of T0
 * @param memory      (B, Lv, d) the encoder's second-pass memory M2 that the decoder reads (for diagnostics:
 *                    see {@link trdetr.train.MemorySpread})
 */
public record TrDetrOutput(Tensor predLogits, Tensor predSpans, Tensor saliency, List<Head> aux, Tensor videoMask,
                           Tensor srcVidEd, Tensor srcTxtEd, Tensor srcVidClsEd, Tensor srcTxtClsEd, Tensor memory) {

    /** One decoder layer's predictions. */
    public record Head(Tensor logits, Tensor spans) {}

    public Head main() { return new Head(predLogits, predSpans); }
}
