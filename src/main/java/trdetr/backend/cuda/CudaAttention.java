package trdetr.backend.cuda;

import static trdetr.backend.cuda.KernelTable.ATTENTION_BACKWARD_KV;
import static trdetr.backend.cuda.KernelTable.ATTENTION_BACKWARD_Q;
import static trdetr.backend.cuda.KernelTable.ATTENTION_FORWARD;

import trdetr.backend.Backend.AttentionGrads;
import trdetr.backend.Backend.AttentionResult;
import trdetr.tensor.Tensor;

/**
 * Launches the fused attention kernels (kernels/attention.cu) for the shapes they are written for: at most
 * {@link #MAX_KEYS} keys and head dims up to {@link #MAX_HEAD_DIM}. Other shapes take the composed default of
 * {@link trdetr.backend.Backend#attention}; both paths have the same semantics, so which one ran never shows.
 * q, k and v are read through their strides (the model's head-split transposed views need no copy).
 */
final class CudaAttention {
    static final int MAX_KEYS = 128;
    static final int MAX_HEAD_DIM = 64;
    /** Queries per block of the forward and dQ kernels, keys per block of the dK/dV kernel, threads per block. */
    private static final int QUERY_TILE = 16, KEY_TILE = 16, THREADS = 128;

    private final CudaBackend backend;

    CudaAttention(CudaBackend backend) { this.backend = backend; }

    static boolean supports(Tensor q, Tensor k, Tensor v) {
        int n = q.size(0), lq = q.size(1), lk = k.size(1), d = q.size(2), dv = v.size(2);
        return n > 0 && lq > 0 && lk > 0 && lk <= MAX_KEYS && d > 0 && d <= MAX_HEAD_DIM && dv > 0 && dv <= MAX_HEAD_DIM
                && q.dtype().isFloating();
    }

    /** {offset, sn, si, sc}: the View3 struct of attention.cu. */
    private static int[] view3(Tensor t) { return new int[] {t.offset(), t.stride(0), t.stride(1), t.stride(2)}; }

    AttentionResult forward(Tensor q, Tensor k, Tensor v, Tensor mask, double p, long seed, long offset) {
        int n = q.size(0), lq = q.size(1), lk = k.size(1), d = q.size(2), dv = v.size(2);
        Tensor out = backend.empty(q.dtype(), n, lq, dv), probs = backend.empty(q.dtype(), n, lq, lk);
        int[] maskView = mask == null ? new int[5]
                : new int[] {mask.offset(), mask.stride(0), mask.stride(1), mask.stride(2), mask.stride(3)};
        int heads = mask == null ? 1 : mask.size(1);
        backend.kernels.launch3(ATTENTION_FORWARD.of(q.dtype()), grid(n, lq, QUERY_TILE), block(), 0,
                out, probs, q, view3(q), k, view3(k), v, view3(v), mask, maskView, heads, lq, lk, d, dv, p, seed, offset);
        return new AttentionResult(out, probs);
    }

    AttentionGrads backward(Tensor gradOutput, Tensor q, Tensor k, Tensor v, Tensor probs, double p, long seed, long offset) {
        int n = q.size(0), lq = q.size(1), lk = k.size(1), d = q.size(2), dv = v.size(2);
        Tensor go = backend.packed(gradOutput), pr = backend.packed(probs);
        Tensor dq = backend.empty(q.dtype(), n, lq, d), dk = backend.empty(q.dtype(), n, lk, d);
        Tensor dvv = backend.empty(q.dtype(), n, lk, dv), ds = backend.empty(q.dtype(), n, lq, lk);
        backend.kernels.launch3(ATTENTION_BACKWARD_Q.of(q.dtype()), grid(n, lq, QUERY_TILE), block(), 0,
                dq, ds, go, pr, k, view3(k), v, view3(v), lq, lk, d, dv, p, seed, offset);
        backend.kernels.launch3(ATTENTION_BACKWARD_KV.of(q.dtype()), grid(n, lk, KEY_TILE), block(), 0,
                dk, dvv, go, pr, ds, q, view3(q), lq, lk, d, dv, p, seed, offset);
        return new AttentionGrads(dq, dk, dvv);
    }

    /** One block per (head, tile of `len`); heads on x, whose limit is 2³¹ − 1. */
    private static int[] grid(int n, int len, int tile) { return new int[] {n, (len + tile - 1) / tile, 1}; }

    private static int[] block() { return new int[] {THREADS, 1, 1}; }
}
