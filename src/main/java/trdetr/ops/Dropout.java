package trdetr.ops;

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
        Tensor mask = x.backend().dropoutMask(x.shape(), x.dtype(), p, gen.seed(), gen.reserve(x.numel()));
        return x.mul(mask).named("dropout");
    }
}
