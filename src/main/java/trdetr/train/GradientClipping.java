package trdetr.train;

import java.util.Collection;
import trdetr.autograd.GradMode;
import trdetr.tensor.Tensor;

/** torch.nn.utils.clip_grad_norm_: scale all gradients by max_norm/(‖g‖ + 1e-6) when that is below 1. */
public final class GradientClipping {
    private GradientClipping() {}

    /** @return the global L2 norm of the gradients before clipping */
    public static double clipGradNorm(Collection<Tensor> params, double maxNorm) {
        double sum = 0;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (Tensor p : params) {
                if (p.grad() == null) continue;
                double n = p.grad().mul(p.grad()).sum().item();
                sum += n;
            }
            double total = Math.sqrt(sum);
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) {
                for (Tensor p : params) if (p.grad() != null) p.grad().backend().scaleInPlace(p.grad(), coef);
            }
            return total;
        }
    }
}
