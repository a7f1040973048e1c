package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import trdetr.backend.Backend;
import trdetr.backend.Backend.AttentionResult;
import trdetr.ops.Attention;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * The fused float32 attention against the composition it replaces ({@link Backend#composedAttention}), bit for bit, on
 * the model's kind of operands (head-split strided views of (L, B, h·d) projections) at sizes that leave partial GEMM
 * tiles: masks (key padding broadcast with stride 0, a per-head mask with a fully masked row), dropout, both.
 */
class CpuAttentionTest {
    private static final int B = 2, HEADS = 3, LQ = 75, LK = 37, D = 32, DV = 24;

    private static Tensor heads(Generator g, int len, int width) {
        return Tensor.randn(g, DType.FLOAT32, len, B, HEADS * width).reshape(len, B * HEADS, width).transpose(0, 1);
    }

    private static void assertSameBits(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        float[] a = actual.toFloatArray(), e = expected.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertThat(Float.floatToRawIntBits(a[i])).as("element %d: %s vs %s", i, a[i], e[i]).isEqualTo(Float.floatToRawIntBits(e[i]));
        }
    }

    private static void sameAsComposition(boolean headMask, boolean keyPadding, double p) {
        Generator g = new Generator(11);
        Tensor q = heads(g, LQ, D), k = heads(g, LK, D), v = heads(g, LK, DV);
        assumeTrue(CpuAttention.fuses(q, k, v), "the fused kernel needs the Vector API GEMM");
        boolean[] am = Tensor.uniform(g, DType.FLOAT64, 0, 1, B * HEADS, LQ, LK).gt(0.7).toBoolArray();
        for (int j = 0; j < LK; j++) am[4 * LK + j] = true;           // row 4 of head 0: every key masked
        boolean[] kp = new boolean[B * LK];
        for (int j = 20; j < LK; j++) kp[LK + j] = true;             // the second sequence has 20 keys
        Tensor mask = Attention.combineMasks(headMask ? Tensor.ofBools(am, B * HEADS, LQ, LK) : null,
                keyPadding ? Tensor.ofBools(kp, B, LK) : null, B, HEADS, LQ, LK);
        Backend cpu = q.backend();
        AttentionResult fused = cpu.attention(q, k, v, mask, p, 1234, 99);
        AttentionResult composed = Backend.composedAttention(cpu, q, k, v, mask, p, 1234, 99);
        assertSameBits(fused.probs(), composed.probs());
        assertSameBits(fused.output(), composed.output());
        // without storing the probabilities (a forward pass without gradient): the same output, the same dropout
        assertSameBits(cpu.attentionOutput(q, k, v, mask, p, 1234, 99), composed.output());
    }

    @Test void noMask() { sameAsComposition(false, false, 0); }

    @Test void keyPaddingBroadcast() { sameAsComposition(false, true, 0); }

    @Test void headMaskWithAFullyMaskedRow() { sameAsComposition(true, false, 0); }

    @Test void bothMasksAndDropout() { sameAsComposition(true, true, 0.2); }

    /**
     * Keys masked for every query are left out of the products (CpuAttention.liveKeys), which changes no bit while
     * their values are finite: an infinite value behind the padding must still make the output NaN, as 0·inf does in
     * the composition (and in PyTorch).
     */
    @Test
    void anInfiniteValueBehindThePaddingStillGivesNaN() {
        Generator g = new Generator(13);
        Tensor q = heads(g, LQ, D), k = heads(g, LK, D);
        float[] vs = Tensor.randn(g, DType.FLOAT32, LK, B, HEADS * DV).toFloatArray();
        vs[(30 * B + 1) * HEADS * DV + 5] = Float.POSITIVE_INFINITY;  // key 30 of the second sequence, which has 20
        Tensor v = Tensor.of(vs, LK, B, HEADS * DV).reshape(LK, B * HEADS, DV).transpose(0, 1);
        assumeTrue(CpuAttention.fuses(q, k, v), "the fused kernel needs the Vector API GEMM");
        boolean[] kp = new boolean[B * LK];
        for (int j = 20; j < LK; j++) kp[LK + j] = true;
        Tensor mask = Attention.combineMasks(null, Tensor.ofBools(kp, B, LK), B, HEADS, LQ, LK);
        Backend cpu = q.backend();
        Tensor composed = Backend.composedAttention(cpu, q, k, v, mask, 0, 1, 0).output();
        assertThat(composed.toFloatArray()).as("the composition's output").contains(Float.NaN);
        assertSameBits(cpu.attentionOutput(q, k, v, mask, 0, 1, 0), composed);
    }

    @Test
    void operandsWithoutUnitInnerStrideTakeTheComposition() {
        Generator g = new Generator(12);
        Tensor q = Tensor.randn(g, DType.FLOAT32, B * HEADS, D, LQ).transpose(1, 2);     // inner stride LQ
        Tensor k = heads(g, LK, D), v = heads(g, LK, DV);
        assertThat(CpuAttention.fuses(q, k, v)).isFalse();
        AttentionResult r = q.backend().attention(q, k, v, null, 0, 0, 0);
        assertSameBits(r.output(), Backend.composedAttention(q.backend(), q, k, v, null, 0, 0, 0).output());
    }
}
