package trdetr.jmh;

import java.util.List;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import trdetr.autograd.GradMode;
import trdetr.backend.MemoryScope;
import trdetr.ops.Attention;
import trdetr.tensor.Tensor;

/**
 * The attention core ({@link Attention#apply}: dropout(softmax(q·kᵀ masked))·v, fused on the GPU) at the model's
 * size: batch 32 × 8 heads, 75 queries and 75 keys, head dim 32, with a key-padding mask (each sample's valid
 * length drawn from 20..75, as {@link trdetr.bench.SyntheticBatch}). {@code forward}: eval mode, no autograd.
 * {@code forwardBackward}: training (dropout 0.1, as the released model), then the backward from a random output
 * gradient to q, k and v.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AttentionBench extends DeviceBench {
    static final int B = 32, HEADS = 8, L = 75, D = 32;
    static final double DROPOUT = 0.1;

    Tensor q, k, v, mask, gradOut;

    @Setup(Level.Trial)
    public void setup() {
        openDevice();
        q = leaf(1 / Math.sqrt(D), B * HEADS, L, D);                   // already scaled, as the model passes it
        k = leaf(1, B * HEADS, L, D);
        v = leaf(1, B * HEADS, L, D);
        gradOut = randn(1, B * HEADS, L, D);
        boolean[] padded = new boolean[B * L];
        for (int s = 0; s < B; s++) {
            int valid = 20 + gen.nextInt(L - 19);
            for (int j = valid; j < L; j++) padded[s * L + j] = true;
        }
        mask = Attention.combineMasks(null, Tensor.ofBools(padded, B, L), B, HEADS, L, L);
    }

    @Benchmark
    public Tensor forward() {
        try (GradMode.Scope ignored = GradMode.noGrad(); MemoryScope scope = backend.openScope()) {
            Tensor out = Attention.apply(q, k, v, mask, DROPOUT, false, gen).output();
            backend.synchronize();
            return out;
        }
    }

    @Benchmark
    public Tensor forwardBackward() {
        try (MemoryScope scope = backend.openScope()) {
            Tensor out = Attention.apply(q, k, v, mask, DROPOUT, true, gen).output();
            out.backward(gradOut, false);
            backend.synchronize();
            dropGrads(List.of(q, k, v));
            return out;
        }
    }
}
