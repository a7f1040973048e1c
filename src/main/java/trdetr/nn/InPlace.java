package trdetr.nn;

import java.util.Arrays;
import trdetr.autograd.GradMode;
import trdetr.backend.BinaryOp;
import trdetr.backend.UnaryOp;
import trdetr.tensor.Tensor;

/**
 * Overwriting a forward pass's own temporaries where nothing can tell: autograd records nothing (no saved tensor to
 * corrupt) and no {@link ActivationRecorder} listens (it keeps module outputs). Callers pass only a tensor they made
 * themselves and do not read again (a sublayer's output before its residual addition, a projection before its
 * scaling); anything else, and any other mode, takes the out-of-place op. The values are the out-of-place op's, bit for
 * bit. What it saves in an eval forward pass: an allocation, which the JVM zeroes on the calling thread while the
 * other threads wait (a tenth of a 2-thread forward pass went to zeroing new arrays), and a pass over memory.
 */
public final class InPlace {
    private InPlace() {}

    /** Whether {@code fresh} may be overwritten now: an unrecorded forward pass, and a tensor owning its whole buffer. */
    static boolean allowed(Tensor fresh) {
        return !GradMode.isEnabled() && !ActivationRecorder.isActive() && !fresh.requiresGrad()
               && fresh.isContiguous() && fresh.offset() == 0 && fresh.storage().size() == fresh.numel();
    }

    /** a + fresh, written over fresh where allowed (float addition commutes: the bits of fresh + a too). */
    public static Tensor add(Tensor a, Tensor fresh) {
        if (!allowed(fresh) || !Arrays.equals(a.shape(), fresh.shape()) || a.dtype() != fresh.dtype() || a.backend() != fresh.backend()) {
            return a.add(fresh);
        }
        fresh.backend().binaryInPlace(BinaryOp.ADD, a, fresh);
        return fresh;
    }

    /** fresh · c (Tensor.mul's affine op), written over fresh where allowed. */
    public static Tensor mul(Tensor fresh, double c) {
        if (!allowed(fresh) || !fresh.dtype().isFloating()) return fresh.mul(c);
        fresh.backend().unaryInPlace(UnaryOp.AFFINE, fresh, c, 0.0);
        return fresh;
    }
}
