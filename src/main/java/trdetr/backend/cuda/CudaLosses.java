package trdetr.backend.cuda;

import static trdetr.backend.cuda.KernelTable.*;

import trdetr.backend.LossKernels.PairGrads;
import trdetr.tensor.Tensor;

/**
 * Launches the fused loss kernels (kernels/losses.cu): one kernel per primitive and direction, with the semantics of
 * {@link trdetr.backend.LossKernels}' composed defaults. Element-wise operands travel as {@link Layouts} (broadcast
 * and transposed views need no copy), spans and logits as 2-D views; every output is fresh and contiguous.
 */
final class CudaLosses {
    private final CudaBackend backend;

    CudaLosses(CudaBackend backend) { this.backend = backend; }

    Tensor bceWithLogits(Tensor x, Tensor t) {
        return elementwise(BCE_WITH_LOGITS, 1, x, x, Layouts.of(x), t, Layouts.of(t))[0];
    }

    PairGrads bceWithLogitsBackward(Tensor g, Tensor x, Tensor t) {
        return pair(elementwise(BCE_WITH_LOGITS_BACKWARD, 2, x,
                g, Layouts.of(g), x, Layouts.of(x), t, Layouts.of(t)));
    }

    Tensor sigmoidFocal(Tensor x, Tensor t, double alpha, double gamma) {
        return elementwise(SIGMOID_FOCAL, 1, x, x, Layouts.of(x), t, Layouts.of(t), alpha, gamma)[0];
    }

    Tensor sigmoidFocalBackward(Tensor g, Tensor x, Tensor t, double alpha, double gamma) {
        return elementwise(SIGMOID_FOCAL_BACKWARD, 1, x,
                g, Layouts.of(g), x, Layouts.of(x), t, Layouts.of(t), alpha, gamma)[0];
    }

    Tensor l1(Tensor a, Tensor b) {
        return elementwise(L1, 1, a, a, Layouts.of(a), b, Layouts.of(b))[0];
    }

    PairGrads l1Backward(Tensor g, Tensor a, Tensor b) {
        return pair(elementwise(L1_BACKWARD, 2, a, g, Layouts.of(g), a, Layouts.of(a), b, Layouts.of(b)));
    }

    private static PairGrads pair(Tensor[] grads) { return new PairGrads(grads[0], grads[1]); }

    /**
     * Launches {@code kernel(out..., n, args...)} in like's dtype over the elements of {@code like}, with {@code outputs}
     * fresh tensors shaped like it (the calling convention of every element-wise kernel in losses.cu).
     */
    private Tensor[] elementwise(PerDType kernel, int outputs, Tensor like, Object... args) {
        Kernel k = kernel.of(like.dtype());
        Tensor[] out = new Tensor[outputs];
        for (int i = 0; i < outputs; i++) out[i] = backend.empty(like.dtype(), like.shape());
        long n = like.numel();
        if (n == 0) return out;
        Object[] all = new Object[outputs + 1 + args.length];
        System.arraycopy(out, 0, all, 0, outputs);
        all[outputs] = n;
        System.arraycopy(args, 0, all, outputs + 1, args.length);
        backend.kernels.launch(k, Kernels.gridFor(n), all);
        return out;
    }

    /** Per-row losses (N) of logits (N, C): one block per row; an out-of-range target raises the CPU's error. */
    Tensor crossEntropy(Tensor logits, Tensor target) {
        Kernel kernel = CROSS_ENTROPY.of(logits.dtype());
        int rows = logits.size(0), classes = logits.size(1);
        Tensor loss = backend.empty(logits.dtype(), rows);
        if (rows == 0) return loss;
        Tensor flag = backend.badIndexFlag();
        backend.kernels.launchRows(kernel, rows, loss, logits, CudaBackend.view2(logits),
                backend.packed(target), rows, classes, flag);
        CudaBackend.checkFlag("cross_entropy", flag, classes);
        return loss;
    }

    Tensor crossEntropyBackward(Tensor g, Tensor logits, Tensor target) {
        Kernel kernel = CROSS_ENTROPY_BACKWARD.of(logits.dtype());
        int rows = logits.size(0), classes = logits.size(1);
        Tensor dx = backend.empty(logits.dtype(), rows, classes);
        if (rows > 0 && classes > 0) {
            backend.kernels.launchRows(kernel, rows, dx, g, Layouts.of(g), logits,
                    CudaBackend.view2(logits), backend.packed(target), rows, classes);
        }
        return dx;
    }

    /** Pairwise gIoU (N, M) of spans a (N, 2) and b (M, 2). */
    Tensor temporalGiou(Tensor a, Tensor b) {
        Kernel kernel = TEMPORAL_GIOU.of(a.dtype());
        int n = a.size(0), m = b.size(0);
        Tensor y = backend.empty(a.dtype(), n, m);
        long pairs = (long) n * m;
        if (pairs > 0) {
            backend.kernels.launch(kernel, Kernels.gridFor(pairs), y, a, CudaBackend.view2(a), b,
                    CudaBackend.view2(b), n, m);
        }
        return y;
    }

    /** da (N, 2) and db (M, 2): one thread per span, each summing its row (or column) of pair gradients in order. */
    PairGrads temporalGiouBackward(Tensor g, Tensor a, Tensor b) {
        Kernel kernel = TEMPORAL_GIOU_BACKWARD.of(a.dtype());
        int n = a.size(0), m = b.size(0);
        Tensor da = backend.empty(a.dtype(), n, 2), db = backend.empty(a.dtype(), m, 2);
        if (n + m > 0) {
            backend.kernels.launch(kernel, Kernels.gridFor((long) n + m), da, db, g,
                    Layouts.of(g), a, CudaBackend.view2(a), b, CudaBackend.view2(b), n, m);
        }
        return new PairGrads(da, db);
    }
}
