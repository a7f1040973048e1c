package trdetr.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import trdetr.nn.ScaledDotProductAttention;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * The attention op on the CPU (the backend's composed default) against the composition it replaced in
 * ScaledDotProductAttention: the same numbers bit for bit, forward and backward, and the same generator draws, so
 * training results and their reproducibility are unchanged.
 */
class AttentionTest {
    private static final int LQ = 6, LK = 9, B = 2, HEADS = 3, D = 8, DV = 5;

    /** The composition as it was: matmul, masked_fill(-inf) per mask, softmax, dropout, matmul. */
    private static Tensor[] composed(Tensor q, Tensor k, Tensor v, Tensor attnMask, Tensor keyPadding, double p, Generator gen) {
        Tensor qh = q.reshape(LQ, B * HEADS, D).transpose(0, 1);
        Tensor kh = k.reshape(LK, B * HEADS, D).transpose(0, 1);
        Tensor vh = v.reshape(LK, B * HEADS, DV).transpose(0, 1);
        Tensor scores = qh.matmul(kh, false, true);
        if (attnMask != null) scores = scores.maskedFill(attnMask, Double.NEGATIVE_INFINITY);
        if (keyPadding != null) {
            scores = scores.reshape(B, HEADS, LQ, LK).maskedFill(keyPadding.reshape(B, 1, 1, LK), Double.NEGATIVE_INFINITY)
                    .reshape(B * HEADS, LQ, LK);
        }
        Tensor probs = Dropout.apply(scores.softmax(-1), p, true, gen);
        return new Tensor[] {probs.matmul(vh).transpose(0, 1).reshape(LQ, B, HEADS * DV), probs};
    }

    private static Tensor leaf(Generator g, int... shape) { return Tensor.randn(g, DType.FLOAT32, shape).requiresGrad(true); }

    private static void assertSameValues(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        assertThat(x.length).isEqualTo(y.length);
        for (int i = 0; i < x.length; i++) assertThat(x[i] == y[i]).as("element %d: %s vs %s", i, x[i], y[i]).isTrue();
    }

    /** What one path produced: output, probabilities, input gradients, and where the dropout generator ended. */
    private record Run(Tensor output, Tensor probs, Tensor dq, Tensor dk, Tensor dv, long counter) {}

    private static Run run(boolean fused, boolean withAttnMask, boolean withPadding, double p) {
        Generator g = new Generator(5);
        Tensor q = leaf(g, LQ, B, HEADS * D), k = leaf(g, LK, B, HEADS * D), v = leaf(g, LK, B, HEADS * DV);
        boolean[] am = Tensor.uniform(g, DType.FLOAT64, 0, 1, B * HEADS, LQ, LK).gt(0.6).toBoolArray();
        for (int j = 0; j < LK; j++) am[LK + j] = true;     // one fully masked row
        boolean[] kp = new boolean[B * LK];
        for (int j = 6; j < LK; j++) kp[LK + j] = true;     // the second sequence is shorter
        Tensor attnMask = withAttnMask ? Tensor.ofBools(am, B * HEADS, LQ, LK) : null;
        Tensor keyPadding = withPadding ? Tensor.ofBools(kp, B, LK) : null;
        Generator dropGen = new Generator(42, 7);
        Tensor output, probs;
        if (fused) {
            ScaledDotProductAttention.Result a = ScaledDotProductAttention.apply(q, k, v, HEADS, attnMask, keyPadding, p, true, dropGen);
            output = a.output();
            probs = a.probs();
        } else {
            Tensor[] r = composed(q, k, v, attnMask, keyPadding, p, dropGen);
            output = r[0];
            probs = r[1];
        }
        output.mul(Tensor.randn(new Generator(9), DType.FLOAT32, LQ, B, HEADS * DV)).sum().backward();
        return new Run(output, probs, q.grad(), k.grad(), v.grad(), dropGen.counter());
    }

    private static void sameAsComposition(boolean withAttnMask, boolean withPadding, double p) {
        Run before = run(false, withAttnMask, withPadding, p), now = run(true, withAttnMask, withPadding, p);
        assertSameValues(now.output(), before.output());
        assertSameValues(now.probs(), before.probs());
        assertSameValues(now.dq(), before.dq());
        assertSameValues(now.dk(), before.dk());
        assertSameValues(now.dv(), before.dv());
        assertThat(now.counter()).isEqualTo(before.counter());
    }

    @Test
    void noMaskNoDropoutIsTheComposition() { sameAsComposition(false, false, 0); }

    @Test
    void keyPaddingIsTheComposition() { sameAsComposition(false, true, 0); }

    @Test
    void headMaskWithAFullyMaskedRowIsTheComposition() { sameAsComposition(true, false, 0); }

    @Test
    void bothMasksWithDropoutIsTheCompositionWithTheSameDraws() { sameAsComposition(true, true, 0.3); }

    @Test
    void fullDropoutZeroesWithoutDrawing() { sameAsComposition(false, true, 1.0); }

    @Test
    void badMaskShapeIsOneClearError() {
        Generator g = new Generator(1);
        Tensor q = leaf(g, 4, LQ, D), k = leaf(g, 4, LK, D), v = leaf(g, 4, LK, DV);
        Tensor mask = Tensor.ofBools(new boolean[4 * LQ * (LK - 1)], 2, 2, LQ, LK - 1);
        assertThatThrownBy(() -> Attention.apply(q, k, v, mask, 0, false, g))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask");
    }

    @Test
    void withoutGradientOrKeptWeightsTheProbabilitiesAreNotStoredAndTheOutputIsTheSame() {
        Generator g = new Generator(6);
        Tensor q = Tensor.randn(g, DType.FLOAT32, B * HEADS, LQ, D), k = Tensor.randn(g, DType.FLOAT32, B * HEADS, LK, D);
        Tensor v = Tensor.randn(g, DType.FLOAT32, B * HEADS, LK, DV);
        Attention.Result kept = Attention.apply(q, k, v, null, 0.3, true, new Generator(42, 7), true);
        Generator dropGen = new Generator(42, 7);
        Attention.Result bare = Attention.apply(q, k, v, null, 0.3, true, dropGen, false);
        assertSameValues(bare.output(), kept.output());
        assertThat(dropGen.counter()).isEqualTo(new Generator(42, 7).counter() + (long) B * HEADS * LQ * LK);
        assertThatThrownBy(bare::weights).hasMessageContaining("not kept");
        assertThat(kept.weights().shape()).containsExactly(B * HEADS, LQ, LK);
    }
}
