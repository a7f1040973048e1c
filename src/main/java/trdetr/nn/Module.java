package trdetr.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.backend.Backend;
import trdetr.tensor.Tensor;

/**
 * A layer with named parameters and sub-modules, as torch.nn.Module: {@link #namedParameters()} yields the dotted
 * names of a PyTorch state_dict, in the same order (own parameters first, then children in registration order).
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable parameter (a leaf that requires grad) under a name. */
    protected Tensor parameter(String name, Tensor value) {
        if (parameters.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException("duplicate member name '" + name + "'");
        Tensor p = value.detach().requiresGrad(true);
        parameters.put(name, p);
        return p;
    }

    /** Registers a sub-module under a name. */
    protected <M extends Module> M child(String name, M module) {
        if (parameters.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException("duplicate member name '" + name + "'");
        children.put(name, module);
        return module;
    }

    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        parameters.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out));
    }

    /** Every module below this one (and this one, as ""), by dotted path, in registration order. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String path, Map<String, Module> out) {
        out.put(path, this);
        children.forEach((k, m) -> m.collectModules(path.isEmpty() ? k : path + "." + k, out));
    }

    /** Every forward ends by passing its output through here, so an {@link ActivationRecorder} sees it. */
    protected final <T> T emit(T output) {
        ActivationRecorder.record(this, output);
        return output;
    }

    /** The backend this module's parameters live on (the default backend when it has none). */
    public Backend backend() {
        if (!parameters.isEmpty()) return parameters.values().iterator().next().backend();
        for (Module m : children.values()) if (!m.namedParameters().isEmpty()) return m.backend();
        return Tensor.defaultBackend();
    }

    public List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    public Map<String, Module> children() { return Collections.unmodifiableMap(children); }

    public boolean isTraining() { return training; }

    /** Training mode (dropout on) for this module and all below it. */
    public Module train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
        return this;
    }

    public Module eval() { return train(false); }

    public void zeroGrad() { parameters().forEach(p -> p.setGrad(null)); }

    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }
}
