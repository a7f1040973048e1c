package trdetr.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import trdetr.autograd.GradMode;

class TensorTest {
    private static Tensor seq(int... shape) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = i;
        return Tensor.of(v, shape);
    }

    @Test
    void viewsShareStorageAndDescribeIt() {
        Tensor x = seq(2, 3, 4);
        Tensor t = x.transpose(0, 2);
        assertThat(t.shape()).containsExactly(4, 3, 2);
        assertThat(t.storage()).isSameAs(x.storage());
        assertThat(t.isContiguous()).isFalse();
        assertThat(t.contiguous().toDoubleArray()[1]).isEqualTo(12.0); // t[0,0,1] = x[1,0,0]
        assertThat(x.slice(2, 1, 3).toDoubleArray()).containsExactly(1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22);
        assertThat(x.slice(1, -1, 100).shape()).containsExactly(2, 1, 4); // Python slice semantics
        assertThat(x.slice(1, 2, 1).shape()).containsExactly(2, 0, 4);
        assertThat(x.select(0, 1).toDoubleArray()[0]).isEqualTo(12.0);
        assertThat(x.reshape(6, -1).shape()).containsExactly(6, 4);
        assertThat(seq(3).reshape(3, 1).expand(3, 2).toDoubleArray()).containsExactly(0, 0, 1, 1, 2, 2);
        assertThat(x.permute(1, 2, 0).permute(2, 0, 1).toDoubleArray()).containsExactly(x.toDoubleArray());
    }

    @Test
    void broadcastingFollowsNumpy() {
        Tensor a = seq(2, 1, 3), b = seq(4, 1);
        Tensor c = a.add(b);
        assertThat(c.shape()).containsExactly(2, 4, 3);
        assertThat(c.toDoubleArray()[3 * 3 + 2]).isEqualTo(2 + 3); // c[0,3,2] = a[0,0,2] + b[3,0]
    }

    @Test
    void shapeMismatchNamesTheOpAndBothShapes() {
        assertThatThrownBy(() -> seq(2, 3).add(seq(4))).hasMessage("add: shapes [2, 3] and [4] cannot be broadcast");
        assertThatThrownBy(() -> seq(2, 3).matmul(seq(2, 3))).hasMessageContaining("matmul").hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> seq(2, 3).reshape(4, 2)).hasMessageContaining("reshape: cannot view shape [2, 3]");
        assertThatThrownBy(() -> seq(2, 3).to(DType.FLOAT32).add(seq(2, 3))).hasMessageContaining("dtypes differ");
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor w = seq(3).requiresGrad(true);
        w.mul(w).sum().backward();
        w.mul(3.0).sum().backward();
        assertThat(w.grad().toDoubleArray()).containsExactly(3, 5, 7); // 2w + 3
    }

    @Test
    void aTensorUsedTwiceGetsBothGradients() {
        Tensor x = seq(2).add(1.0).detach().requiresGrad(true);
        Tensor y = x.exp();
        y.mul(y).add(y).sum().backward(); // d/dx (e^2x + e^x)
        double[] g = x.grad().toDoubleArray();
        assertThat(g[0]).isCloseTo(2 * Math.exp(2) + Math.exp(1), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void detachAndNoGradStopHistory() {
        Tensor w = seq(3).requiresGrad(true);
        assertThat(w.mul(2.0).detach().requiresGrad()).isFalse();
        try (var ignored = GradMode.noGrad()) {
            assertThat(w.mul(2.0).requiresGrad()).isFalse();
        }
        assertThat(w.mul(2.0).requiresGrad()).isTrue();
    }

    @Test
    void backwardThroughANonDifferentiableOpSaysSo() {
        Tensor x = seq(2, 3).requiresGrad(true);
        Tensor idx = x.argmax(1, false);
        assertThatThrownBy(() -> idx.to(DType.FLOAT64).sum().backward())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not require grad");
        assertThatThrownBy(idx::backward).hasMessageContaining("'argmax'");
    }

    @Test
    void aSecondBackwardThroughAFreedGraphSaysSo() {
        Tensor x = seq(3).requiresGrad(true);
        Tensor loss = x.exp().sum();
        loss.backward();
        assertThatThrownBy(loss::backward).isInstanceOf(IllegalStateException.class).hasMessageContaining("already freed");
        Tensor kept = x.exp().sum();
        kept.backward(null, true);
        kept.backward(null, false); // retained: fine
    }

    @Test
    void nonScalarBackwardNeedsAGradient() {
        Tensor x = seq(3).requiresGrad(true);
        assertThatThrownBy(() -> x.mul(2.0).backward()).hasMessageContaining("non-scalar");
        x.mul(2.0).backward(Tensor.of(new double[] {1, 2, 3}, 3), false);
        assertThat(x.grad().toDoubleArray()).containsExactly(2, 4, 6);
    }

    @Test
    void masksIndicesAndComparisons() {
        Tensor x = Tensor.of(new double[] {3, -1, 2, 2}, 2, 2);
        assertThat(x.gt(1.0).toBoolArray()).containsExactly(true, false, true, true);
        assertThat(x.argmax(1, false).toLongArray()).containsExactly(0, 0); // first maximum on ties
        assertThat(x.maskedFill(x.lt(0.0), 9).toDoubleArray()).containsExactly(3, 9, 2, 2);
        assertThat(x.gt(0.0).and(x.lt(3.0)).toBoolArray()).containsExactly(false, false, true, true);
        assertThat(x.gt(0.0).not().toBoolArray()).containsExactly(false, true, false, false);
    }

    @Test
    void catStackAndDtypes() {
        Tensor a = seq(2, 2), b = seq(2, 1);
        assertThat(Tensor.cat(List.of(a, b), 1).toDoubleArray()).containsExactly(0, 1, 0, 2, 3, 1);
        assertThat(Tensor.stack(List.of(a, a), 0).shape()).containsExactly(2, 2, 2);
        Tensor f = a.to(DType.FLOAT32);
        assertThat(f.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(f.toFloatArray()).containsExactly(0f, 1f, 2f, 3f);
        assertThatThrownBy(() -> Tensor.ofLongs(new long[] {1}, 1).requiresGrad(true)).hasMessageContaining("int64");
    }

    @Test
    void counterRngIsAPureFunctionOfSeedAndCounter() {
        Generator g = new Generator(42);
        double first = g.nextDouble();
        assertThat(CounterRng.uniformDouble(42, 0)).isEqualTo(first);
        assertThat(new Generator(42).nextDouble()).isEqualTo(first);
        assertThat(new Generator(43).nextDouble()).isNotEqualTo(first);
        double mean = 0;
        for (int i = 0; i < 100_000; i++) mean += CounterRng.uniform(7, i);
        assertThat(mean / 100_000).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void theIntegerDropThresholdIsTheFloatComparison() {
        // Including the probabilities whose threshold p·2²⁴ is an integer (0.5, 0.25) and the edges 0 and 1.
        for (double p : new double[] {0.0, 0.1, 0.25, 0.5, 1.0 / 3, 0.9, 1.0, 0x1.0p-24, 0x1.8p-24}) {
            long key = CounterRng.key(5), drop = CounterRng.belowThreshold(p);
            for (long c = 0; c < 20_000; c++) {
                assertThat((CounterRng.keyedBits(key, c) >>> 40) < drop).as("p %s, counter %d", p, c).isEqualTo(CounterRng.uniform(5, c) < p);
            }
            // Every k next to the threshold, not only the ones the stream happens to draw.
            for (long k = Math.max(0, drop - 2); k < Math.min(1L << 24, drop + 2); k++) {
                assertThat(k < drop).as("p %s, k %d", p, k).isEqualTo(k * 0x1.0p-24f < p);
            }
        }
    }

    @Test
    void dropoutZeroesExactlyTheElementsTheStreamSays() {
        int n = 50_001;
        double p = 0.1;
        Tensor x = Tensor.of(new double[n], n).add(1.0).to(DType.FLOAT32);
        float[] y = (float[]) x.backend().download(x.backend().dropout(x, p, 9, 123));
        for (int i = 0; i < n; i++) {
            assertThat(y[i]).as("element %d", i).isEqualTo(CounterRng.uniform(9, 123 + i) < p ? 0f : (float) (1.0 / (1.0 - p)));
        }
    }
}
