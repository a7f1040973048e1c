package trdetr.ops;

import trdetr.autograd.Autograd;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * Inverted dropout: zero each element with probability p and scale the rest by 1/(1-p). The mask comes from a
 * counter-based stream (see {@link trdetr.tensor.CounterRng}), so a seed gives the same mask on every device.
 */
public final class Dropout {
    private Dropout() {}

    public static Tensor apply(Tensor x, double p, boolean training, Generator gen) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout: probability must be in [0, 1], got " + p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0.0);
        long seed = gen.seed(), offset = gen.reserve(x.numel());
        Tensor y = x.backend().dropout(x, p, seed, offset);
        // The same mask scales the gradient: redraw it from (seed, offset) rather than keep it.
        return Autograd.record("dropout", y, (g, needs) -> new Tensor[] {g.backend().dropout(g, p, seed, offset)}, x);
    }
}
