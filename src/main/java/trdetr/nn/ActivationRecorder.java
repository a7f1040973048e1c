package trdetr.nn;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.tensor.Tensor;

/**
 * Records the output of every module call during a forward pass, like PyTorch forward hooks, keyed by the
 * module's dotted path. A module called more than once gets keys {@code path#0, path#1, ...}. Tuple outputs
 * (Tensor[]) are recorded element-wise as {@code key.0, key.1, ...}. Used to find the first layer where two
 * implementations diverge.
 */
public final class ActivationRecorder implements AutoCloseable {
    private static final ThreadLocal<ActivationRecorder> CURRENT = new ThreadLocal<>();

    private final Map<Module, String> paths = new IdentityHashMap<>();
    private final Map<Module, Integer> calls = new IdentityHashMap<>();
    private final List<Object[]> events = new ArrayList<>(); // {module, call index, output}
    private final ActivationRecorder previous;

    private ActivationRecorder(Module root) {
        root.namedModules().forEach((path, m) -> paths.put(m, path));
        previous = CURRENT.get();
        CURRENT.set(this);
    }

    /** Starts recording calls of root and its descendants on this thread until closed. */
    public static ActivationRecorder start(Module root) { return new ActivationRecorder(root); }

    /** Whether a recorder is listening on this thread (modules compute extra outputs, like attention weights, only then). */
    public static boolean isActive() { return CURRENT.get() != null; }

    static void record(Module module, Object output) {
        ActivationRecorder r = CURRENT.get();
        if (r == null || !r.paths.containsKey(module)) return;
        int k = r.calls.merge(module, 1, Integer::sum) - 1;
        r.events.add(new Object[] {module, k, output});
    }

    /** Outputs in call order, detached; keys as described above. */
    public Map<String, Tensor> activations() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Object[] e : events) {
            Module m = (Module) e[0];
            String path = paths.get(m);
            if (path.isEmpty()) continue; // the root itself
            String key = calls.get(m) > 1 ? path + "#" + e[1] : path;
            Object o = e[2];
            if (o instanceof Tensor t) out.put(key, t.detach());
            else if (o instanceof Tensor[] ts) {
                for (int j = 0; j < ts.length; j++) if (ts[j] != null) out.put(key + "." + j, ts[j].detach());
            }
        }
        return out;
    }

    @Override public void close() { CURRENT.set(previous); }
}
