package trdetr.model;

import java.util.List;
import trdetr.nn.Dropout;
import trdetr.nn.LayerNorm;
import trdetr.nn.Linear;
import trdetr.nn.Module;
import trdetr.nn.Sequential;
import trdetr.nn.UnaryModule;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** The input projection block: LayerNorm → Dropout → Linear (→ ReLU). Parameters LayerNorm.*, net.1.*. */
public final class LinearLayer extends Module implements UnaryModule {
    private final LayerNorm norm;
    private final Sequential net;
    private final boolean relu;

    public LinearLayer(int in, int out, double dropoutP, boolean relu, Generator gen, DType dtype) {
        this.norm = child("LayerNorm", new LayerNorm(in, 1e-5, dtype));
        this.net = child("net", new Sequential(List.of(new Dropout(dropoutP, gen), new Linear(in, out, true, gen, dtype))));
        this.relu = relu;
    }

    @Override public Tensor forward(Tensor x) {
        Tensor y = net.forward(norm.forward(x));
        return emit(relu ? y.relu() : y);
    }
}
