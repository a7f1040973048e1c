package trdetr.nn;

import java.util.ArrayList;
import java.util.List;

/** torch.nn.ModuleList / Sequential naming: children "0", "1", ... */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    public ModuleList(List<M> modules) {
        for (M m : modules) items.add(child(String.valueOf(items.size()), m));
    }

    public M get(int i) { return items.get(i); }

    public int size() { return items.size(); }

    public List<M> items() { return List.copyOf(items); }
}
