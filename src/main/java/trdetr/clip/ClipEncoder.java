package trdetr.clip;

import java.util.ArrayList;
import java.util.List;
import trdetr.backend.Backend;
import trdetr.nn.Module;
import trdetr.nn.ModuleList;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** The stack of blocks of one tower, {@code encoder.layers.N} (OpenAI's {@code transformer.resblocks.N}). */
final class ClipEncoder extends Module {
    private final ModuleList<ClipEncoderLayer> layers;

    ClipEncoder(ClipConfig.Tower c, Backend backend, DType dtype) {
        List<ClipEncoderLayer> list = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) list.add(new ClipEncoderLayer(c, backend, dtype));
        layers = child("layers", new ModuleList<>(list));
    }

    /** @param x (L, B, width), sequence first; @param mask (L, L) BOOL, true = masked, or null */
    Tensor forward(Tensor x, Tensor mask) {
        for (ClipEncoderLayer layer : layers.items()) x = layer.forward(x, mask);
        return emit(x);
    }
}
