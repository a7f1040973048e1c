package trdetr.nn;

import java.util.List;

/** torch.nn.Sequential: children "0", "1", ... applied in turn. */
public final class Sequential extends Module implements UnaryModule {
    private final List<UnaryModule> items;

    public Sequential(List<? extends UnaryModule> modules) {
        this.items = List.copyOf(modules);
        for (int i = 0; i < items.size(); i++) child(String.valueOf(i), (Module) items.get(i));
    }

    @Override public trdetr.tensor.Tensor forward(trdetr.tensor.Tensor x) {
        for (UnaryModule m : items) x = m.forward(x);
        return emit(x);
    }
}
