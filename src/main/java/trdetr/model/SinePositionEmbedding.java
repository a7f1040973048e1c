package trdetr.model;

import trdetr.nn.Module;
import trdetr.tensor.Tensor;

/** The video position encoding as a (parameter-free) module, so it appears where the official model has it. */
public final class SinePositionEmbedding extends Module {
    private final int features;

    public SinePositionEmbedding(int features) { this.features = features; }

    /** validMask (B, Lv) float → (B, Lv, features). */
    public Tensor forward(Tensor validMask) { return emit(PositionEncodings.video(validMask, features)); }
}
