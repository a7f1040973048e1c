package trdetr.train;

import java.util.Collection;
import trdetr.autograd.GradMode;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** torch.nn.utils.clip_grad_norm_: scale all gradients by max_norm/(‖g‖ + 1e-6) when that is below 1. */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * The squares are summed where the gradients live (each parameter's sum in its own dtype, accumulated in float64),
     * and only the total is read back: one host synchronisation per call on a GPU, not one per parameter.
     *
     * @return the global L2 norm of the gradients before clipping
     */
    public static double clipGradNorm(Collection<Tensor> params, double maxNorm) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor sum = null;
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                Tensor squares = g.mul(g).sum().to(DType.FLOAT64);
                sum = sum == null ? squares : sum.add(squares);
            }
            double total = sum == null ? 0 : Math.sqrt(sum.item());
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) {
                for (Tensor p : params) if (p.grad() != null) p.grad().backend().scaleInPlace(p.grad(), coef);
            }
            return total;
        }
    }
}
