package trdetr.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import trdetr.autograd.GradMode;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** When InPlace overwrites (an unrecorded pass, a tensor owning its buffer) and when it must not; the bits either way. */
class InPlaceTest {
    private static void assertSameBits(Tensor actual, Tensor expected) {
        float[] a = actual.toFloatArray(), e = expected.toFloatArray();
        assertThat(a.length).isEqualTo(e.length);
        for (int i = 0; i < e.length; i++) assertThat(Float.floatToRawIntBits(a[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(e[i]));
    }

    @Test
    void overwritesAFreshTemporaryWithoutAutograd() {
        Generator g = new Generator(1);
        Tensor a = Tensor.randn(g, DType.FLOAT32, 5, 33), fresh = Tensor.randn(g, DType.FLOAT32, 5, 33);
        Tensor sum = a.add(fresh), scaled = fresh.mul(0.3535533905932738);
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor f = fresh.add(0.0);                                   // a copy of fresh's values, owning its buffer
            assertThat(InPlace.add(a, f)).isSameAs(f);
            assertSameBits(f, sum);
            Tensor h = fresh.add(0.0);
            assertThat(InPlace.mul(h, 0.3535533905932738)).isSameAs(h);
            assertSameBits(h, scaled);
            Tensor p = fresh.add(0.0);
            PReLU prelu = new PReLU(DType.FLOAT32);
            assertThat(prelu.forwardInPlace(p)).isSameAs(p);
            assertSameBits(p, fresh.prelu(prelu.weight));
            LayerNorm norm = new LayerNorm(Tensor.randn(g, DType.FLOAT32, 33), Tensor.randn(g, DType.FLOAT32, 33), 1e-5);
            Tensor l = fresh.add(0.0);
            assertThat(norm.forwardInPlace(l)).isSameAs(l);
            assertSameBits(l, norm.forward(fresh));
        }
    }

    @Test
    void leavesItsOperandAloneWhenAutogradRecordsOrTheTensorIsAView() {
        Generator g = new Generator(2);
        Tensor a = Tensor.randn(g, DType.FLOAT32, 4, 6), b = Tensor.randn(g, DType.FLOAT32, 4, 6);
        float[] before = b.toFloatArray();
        Tensor recorded = InPlace.add(a, b);                             // autograd on: a new tensor
        assertThat(recorded).isNotSameAs(b);
        assertThat(b.toFloatArray()).containsExactly(before);
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor whole = Tensor.randn(g, DType.FLOAT32, 8, 6), part = whole.slice(0, 0, 4);
            float[] wholeBefore = whole.toFloatArray();
            assertThat(InPlace.add(a, part)).isNotSameAs(part);          // a view of a larger buffer
            assertThat(whole.toFloatArray()).containsExactly(wholeBefore);
        }
    }

    @Test
    void leavesItsOperandAloneWhileAnActivationRecorderListens() {
        Generator g = new Generator(3);
        Tensor a = Tensor.randn(g, DType.FLOAT32, 3, 5);
        try (GradMode.Scope ignored = GradMode.noGrad(); ActivationRecorder r = ActivationRecorder.start(new Linear(5, 5, true, g, DType.FLOAT32))) {
            Tensor b = Tensor.randn(g, DType.FLOAT32, 3, 5);
            assertThat(InPlace.add(a, b)).isNotSameAs(b);
        }
    }
}
