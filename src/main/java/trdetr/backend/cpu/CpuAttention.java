package trdetr.backend.cpu;

import static trdetr.backend.cpu.CpuTensors.bool;
import static trdetr.backend.cpu.CpuTensors.empty;
import static trdetr.backend.cpu.CpuTensors.f32;

import trdetr.backend.Backend.AttentionResult;
import trdetr.tensor.CounterRng;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The attention core ({@link trdetr.backend.Backend#attention}) fused for float32, one head at a time: q·kᵀ into a
 * small per-thread score block, the mask, the softmax, the probs stored, dropout, and ·v, while the block is still in
 * cache. The composed default allocates and streams three (N, Lq, Lk) tensors (scores, masked scores, probs) and
 * packs strided q, k, v into copies first; this reads q, k and v in place (the model's head-split views have a unit
 * inner stride) and allocates only the probs, which the backward needs, and the output.
 *
 * <p>Bit-identical to the composition: each product is the same {@link Sgemm} FMA chain per element, the masked
 * scores are -inf as {@code where} sets them, the rows go through the softmax kernel's own row function
 * ({@link CpuNormalization#softmaxRow}), and dropout draws element (n, i, j) at {@code offset + (n·Lq + i)·Lk + j}, as
 * the element-wise dropout over the whole probs tensor does. CpuAttentionTest compares the two.
 */
final class CpuAttention {
    private CpuAttention() {}

    /** Whether {@link #attention} takes these operands: float32, the Vector API GEMM, and unit inner strides. */
    static boolean fuses(Tensor q, Tensor k, Tensor v) {
        return q.dtype() == DType.FLOAT32 && Sgemm.fusesBias()
               && q.stride(2) == 1 && k.stride(2) == 1 && v.stride(2) == 1;
    }

    /** With {@code keepProbs} false, the result's probs are null: each head's are kept in a scratch block only. */
    static AttentionResult attention(Tensor q, Tensor k, Tensor v, Tensor mask, double p, long seed, long offset, boolean keepProbs) {
        int heads = q.size(0), lq = q.size(1), lk = k.size(1), d = q.size(2), dv = v.size(2);
        Tensor probs = keepProbs ? empty(DType.FLOAT32, new int[] {heads, lq, lk}) : null;
        // The output in (Lq, N, dv) memory, returned as its (N, Lq, dv) view: the model merges the heads back into
        // (Lq, B, h·dv), which from this layout is a view, not a copy.
        Tensor merged = empty(DType.FLOAT32, new int[] {lq, heads, dv});
        Tensor out = merged.transpose(0, 1);
        float[] qa = f32(q), ka = f32(k), va = f32(v), kept = keepProbs ? f32(probs) : null, oa = f32(merged);
        int qStep = q.stride(0), kStep = k.stride(0), vStep = v.stride(0);
        int qRow = q.stride(1), kRow = k.stride(1), vRow = v.stride(1);
        boolean[] ma = mask == null ? null : bool(mask);
        int[] ms = mask == null ? null : mask.strides();
        int perHead = mask == null ? 1 : mask.size(1);
        long key = p > 0 ? CounterRng.key(seed) : 0, drop = p > 0 ? CounterRng.belowThreshold(p) : 0;
        float keep = (float) (1.0 / (1.0 - p));
        long work = (long) lq * lk * (d + dv);
        Parallel.forRange(heads, work, (h0, h1) -> {
            float[] scores = new float[lq * lk];
            float[] dropped = p > 0 ? new float[lq * lk] : null;
            float[] pa = keepProbs ? kept : new float[lq * lk];
            double[] exps = new double[lk];
            for (int n = h0; n < h1; n++) {
                int base = ma == null ? 0 : mask.offset() + (n / perHead) * ms[0] + (n % perHead) * ms[1];
                int live = ma == null ? lk : liveKeys(ma, base, ms, lq, lk, va, v.offset() + n * vStep, vRow, dv);
                Sgemm.gemmOnThisThread(false, true, lq, live, d, qa, q.offset() + n * qStep, qRow,
                                       ka, k.offset() + n * kStep, kRow, scores, 0, lk);
                if (ma != null) {
                    for (int i = 0; i < lq; i++) {
                        for (int j = 0, m = base + i * ms[2]; j < lk; j++, m += ms[3]) {
                            if (ma[m]) scores[i * lk + j] = Float.NEGATIVE_INFINITY;
                        }
                    }
                }
                int first = n * lq * lk;                                 // head n's first element of the whole probs
                int po = keepProbs ? first : 0;
                for (int i = 0; i < lq; i++) CpuNormalization.softmaxRow(scores, i * lk, pa, po + i * lk, lk, live, exps);
                float[] weights = pa;
                int wo = po;
                if (p > 0) {
                    CpuElementwise.dropoutRange(pa, po, dropped, 0, lq * lk, key, offset + first, drop, keep);
                    weights = dropped;
                    wo = 0;
                }
                Sgemm.gemmOnThisThread(false, false, lq, dv, live, weights, wo, lk, va, v.offset() + n * vStep, vRow,
                                       oa, n * dv, heads * dv);
            }
        });
        return new AttentionResult(out, probs);
    }

    /**
     * How many leading keys a head needs: one past the last key any query may see (at least 1), when the keys after it
     * are masked for every query (key padding) and their values are finite; else all lk. The rest changes no bit: their
     * scores are -inf whatever q·k gave, their exponentials exactly +0 ({@link CpuNormalization#softmaxRow} skips them),
     * and in the product with v each is a term fma(0, v, acc) = acc, the accumulator never being -0 (it starts at +0). A
     * non-finite value would make that term NaN, so its rows keep all keys; so do products of more than one K block
     * ({@link VectorSgemm#KC}), whose blocks depend on K.
     */
    private static int liveKeys(boolean[] ma, int base, int[] ms, int lq, int lk, float[] va, int vo, int vRow, int dv) {
        if (lk > VectorSgemm.KC) return lk;
        int live = 1;
        for (int i = 0; i < lq && live < lk; i++) {
            int row = base + i * ms[2];
            for (int j = lk - 1; j >= live; j--) {
                if (!ma[row + j * ms[3]]) { live = j + 1; break; }
            }
        }
        for (int j = live; j < lk; j++) {
            for (int c = 0, o = vo + j * vRow; c < dv; c++) if (!Float.isFinite(va[o + c])) return lk;
        }
        return live;
    }
}
