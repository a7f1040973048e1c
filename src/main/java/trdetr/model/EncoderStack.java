package trdetr.model;

import java.util.List;
import java.util.function.BiFunction;
import trdetr.nn.Module;
import trdetr.nn.ModuleList;
import trdetr.tensor.Tensor;

/** A TransformerEncoder: layers applied in turn (no final norm, as post-norm TR-DETR has none). */
final class EncoderStack<L extends Module> extends Module {
    private final ModuleList<L> layers;

    EncoderStack(List<L> layers) { this.layers = child("layers", new ModuleList<>(layers)); }

    Tensor forward(Tensor x, BiFunction<L, Tensor, Tensor> step) {
        for (L layer : layers.items()) x = step.apply(layer, x);
        return emit(x);
    }
}
