package trdetr.train;

import java.util.LinkedHashMap;
import java.util.Map;
import trdetr.backend.MemoryScope;
import trdetr.ops.Elementwise;
import trdetr.tensor.Tensor;

/**
 * torch.optim.AdamW with one parameter group: decoupled weight decay, bias-corrected moments. A parameter that never
 * had a gradient is skipped. One that had a gradient before but has none now steps with a zero gradient: the official
 * code runs PyTorch 1.13, whose zero_grad() zeroes gradients instead of dropping them.
 */
public final class AdamW {
    private final Map<String, Tensor> params;
    private final Map<String, Tensor> expAvg = new LinkedHashMap<>();
    private final Map<String, Tensor> expAvgSq = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private double lr;
    private final double beta1, beta2, eps, weightDecay;

    public AdamW(Map<String, Tensor> namedParams, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this.params = new LinkedHashMap<>(namedParams);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** PyTorch's defaults for everything but lr and weight decay. */
    public static AdamW of(Map<String, Tensor> namedParams, double lr, double weightDecay) {
        return new AdamW(namedParams, lr, 0.9, 0.999, 1e-8, weightDecay);
    }

    public double lr() { return lr; }

    public void setLr(double lr) { this.lr = lr; }

    public void zeroGrad() { params.values().forEach(p -> p.setGrad(null)); }

    public void step() {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor p = e.getValue();
            String name = e.getKey();
            if (p.grad() == null && !steps.containsKey(name)) continue;
            Tensor grad = p.grad() != null ? p.grad() : Tensor.zerosLike(p);
            Tensor m = expAvg.computeIfAbsent(name, k -> Tensor.zerosLike(p));
            Tensor v = expAvgSq.computeIfAbsent(name, k -> Tensor.zerosLike(p));
            long t = steps.merge(name, 1L, Long::sum);
            p.backend().adamWStep(p, grad, m, v, lr, beta1, beta2, eps, weightDecay, t);
        }
    }

    /**
     * Keeps the moment tensors when scope closes. They are created lazily by the first {@link #step} that sees a
     * parameter's gradient, which runs inside a training step's scope; keeping an already-kept tensor costs nothing.
     */
    public void keepState(MemoryScope scope) {
        expAvg.values().forEach(scope::keep);
        expAvgSq.values().forEach(scope::keep);
    }

    /** The state to checkpoint: moment tensors by parameter name, and step counts. */
    public Map<String, Tensor> expAvg() { return expAvg; }

    public Map<String, Tensor> expAvgSq() { return expAvgSq; }

    public Map<String, Long> steps() { return steps; }

    /** Restores state saved from {@link #expAvg()}, {@link #expAvgSq()} and {@link #steps()}. */
    public void restore(Map<String, Tensor> m, Map<String, Tensor> v, Map<String, Long> t) {
        expAvg.clear();
        expAvgSq.clear();
        steps.clear();
        for (String name : t.keySet()) {
            Tensor p = params.get(name);
            if (p == null) throw new IllegalArgumentException("optimizer state names parameter '" + name + "', which the model does not have");
            expAvg.put(name, copyLike(m.get(name), p));
            expAvgSq.put(name, copyLike(v.get(name), p));
            steps.put(name, t.get(name));
        }
    }

    private static Tensor copyLike(Tensor saved, Tensor param) {
        if (saved == null || !java.util.Arrays.equals(saved.shape(), param.shape())) {
            throw new IllegalArgumentException("optimizer state does not match parameter shape " + java.util.Arrays.toString(param.shape()));
        }
        Tensor t = Tensor.zerosLike(param);
        Elementwise.assign(t, saved);
        return t;
    }
}
