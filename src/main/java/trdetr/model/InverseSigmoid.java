package trdetr.model;

import trdetr.tensor.Tensor;

/** The official inverse_sigmoid: log(max(x', 1e-3) / max(1 − x', 1e-3)) with x' = clamp(x, 0, 1). */
public final class InverseSigmoid {
    private InverseSigmoid() {}

    public static Tensor apply(Tensor x) {
        Tensor c = x.clamp(0, 1);
        return c.clampMin(1e-3).div(c.rsub(1.0).clampMin(1e-3)).log();
    }
}
