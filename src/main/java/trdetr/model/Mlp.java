package trdetr.model;

import java.util.ArrayList;
import java.util.List;
import trdetr.nn.Linear;
import trdetr.nn.Module;
import trdetr.nn.ModuleList;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** The DETR "MLP": Linear layers with ReLU between them (not after the last). Parameters layers.{i}.weight/bias. */
public final class Mlp extends Module {
    private final ModuleList<Linear> layers;

    public Mlp(int in, int hidden, int out, int numLayers, Generator gen, DType dtype) {
        List<Linear> ls = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            ls.add(new Linear(i == 0 ? in : hidden, i == numLayers - 1 ? out : hidden, true, gen, dtype));
        }
        layers = child("layers", new ModuleList<>(ls));
    }

    public Linear layer(int i) { return layers.get(i); }

    public Tensor forward(Tensor x) {
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x);
            if (i < layers.size() - 1) x = x.relu();
        }
        return emit(x);
    }
}
