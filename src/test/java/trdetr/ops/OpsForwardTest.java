package trdetr.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.ejml.simple.SimpleMatrix;
import org.junit.jupiter.api.Test;
import trdetr.opcheck.GradCheck;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** Forward values against independent references: EJML for products, closed forms elsewhere. */
class OpsForwardTest {
    private final Generator gen = new Generator(3);

    private static SimpleMatrix ejml(Tensor t) {
        return new SimpleMatrix(t.size(0), t.size(1), true, t.toDoubleArray());
    }

    private static double[] data(SimpleMatrix m) {
        double[] v = new double[m.getNumElements()];
        for (int i = 0; i < m.getNumRows(); i++) for (int j = 0; j < m.getNumCols(); j++) v[i * m.getNumCols() + j] = m.get(i, j);
        return v;
    }

    @Test
    void matmulAgreesWithEjmlInEveryTransposeForm() {
        Tensor a = Tensor.randn(gen, DType.FLOAT64, 37, 53), b = Tensor.randn(gen, DType.FLOAT64, 53, 29);
        double[] ref = data(ejml(a).mult(ejml(b)));
        Tensor at = a.mT().contiguous(), bt = b.mT().contiguous();
        assertThat(GradCheck.relativeError(a.matmul(b).toDoubleArray(), ref)).isLessThan(1e-14);
        assertThat(GradCheck.relativeError(at.matmul(b, true, false).toDoubleArray(), ref)).isLessThan(1e-14);
        assertThat(GradCheck.relativeError(a.matmul(bt, false, true).toDoubleArray(), ref)).isLessThan(1e-14);
        assertThat(GradCheck.relativeError(at.matmul(bt, true, true).toDoubleArray(), ref)).isLessThan(1e-14);
        // float32 through the fast kernel: float32 rounding over k = 53 terms.
        double[] f32 = a.to(DType.FLOAT32).matmul(b.to(DType.FLOAT32)).toDoubleArray();
        assertThat(GradCheck.relativeError(f32, ref)).isLessThan(1e-6);
    }

    @Test
    void batchedMatmulIsOneProductPerBatchEntry() {
        Tensor a = Tensor.randn(gen, DType.FLOAT32, 4, 7, 5), b = Tensor.randn(gen, DType.FLOAT32, 4, 5, 6);
        Tensor c = a.matmul(b);
        for (int i = 0; i < 4; i++) {
            double[] ref = data(ejml(a.select(0, i).to(DType.FLOAT64)).mult(ejml(b.select(0, i).to(DType.FLOAT64))));
            assertThat(GradCheck.relativeError(c.select(0, i).toDoubleArray(), ref)).isLessThan(1e-6);
        }
    }

    /** torch.relu keeps NaN (max(NaN, 0) is NaN); contiguous and strided, float32 and float64. */
    @Test
    void reluKeepsNaN() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.of(new double[] {Double.NaN, -1, 0, 2, -0.0, Double.POSITIVE_INFINITY}, 2, 3).to(dtype);
            assertThat(x.relu().toDoubleArray()).as("%s", dtype).containsExactly(Double.NaN, 0, 0, 2, 0, Double.POSITIVE_INFINITY);
            assertThat(x.transpose(0, 1).relu().toDoubleArray()).as("%s strided", dtype).containsExactly(Double.NaN, 2, 0, 0, 0, Double.POSITIVE_INFINITY);
            Tensor leaf = x.detach().requiresGrad(true);                  // torch's backward: the gradient where !(y <= 0)
            leaf.relu().backward(Tensor.onesLike(leaf), false);
            assertThat(leaf.grad().toDoubleArray()).as("%s gradient", dtype).containsExactly(1, 0, 0, 1, 0, 1);
        }
    }

    /**
     * The float32 softmax's arithmetic: exp(x − max) in double, summed in double, each term times 1/Σ, rounded once to
     * float. The CPU kernel computes the exponential with its own vectorised DoubleExp (within 2 ulp of Math.exp) and
     * sums in four interleaved parts, so it may differ from this formula only where a difference in the last bits of
     * a double crosses a float rounding boundary (about one output in 10⁸); on these rows every output is equal.
     */
    @Test
    void float32SoftmaxIsExactlyTheDoubleFormulaRoundedOnce() {
        Tensor x = Tensor.randn(gen, DType.FLOAT32, 7, 75).mul(3.0);
        float[] a = x.toFloatArray(), y = x.softmax(-1).toFloatArray();
        for (int r = 0; r < 7; r++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < 75; j++) m = Math.max(m, a[r * 75 + j]);
            double s = 0;
            for (int j = 0; j < 75; j++) s += Math.exp(a[r * 75 + j] - m);
            for (int j = 0; j < 75; j++) {
                assertThat(y[r * 75 + j]).as("row %d, column %d", r, j).isEqualTo((float) (Math.exp(a[r * 75 + j] - m) * (1.0 / s)));
            }
        }
    }

    @Test
    void softmaxAndLogSoftmax() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 0, Double.NEGATIVE_INFINITY, 0}, 2, 3);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertThat(x.softmax(-1).toDoubleArray()).containsExactly(new double[] {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z, 0.5, 0, 0.5}, within(1e-15));
        assertThat(x.logSoftmax(-1).toDoubleArray()[0]).isCloseTo(1 - Math.log(z), within(1e-14));
        Tensor allMasked = Tensor.of(new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, 1, 2);
        assertThat(allMasked.softmax(-1).toDoubleArray()).containsExactly(0, 0);
    }

    @Test
    void layerNormUsesBiasedVariance() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 1, 4);
        Tensor y = Normalization.layerNorm(x, Tensor.ones(DType.FLOAT64, 4), Tensor.zeros(DType.FLOAT64, 4), 1e-5);
        double sd = Math.sqrt(1.25 + 1e-5);
        assertThat(y.toDoubleArray()).containsExactly(new double[] {-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd}, within(1e-14));
        // A zero row gives β, as the spec notes for padded rows.
        Tensor beta = Tensor.of(new double[] {0.5, -1, 2}, 3);
        assertThat(Normalization.layerNorm(Tensor.zeros(DType.FLOAT64, 2, 3), Tensor.ones(DType.FLOAT64, 3), beta, 1e-5).toDoubleArray())
                .containsExactly(0.5, -1, 2, 0.5, -1, 2);
    }

    @Test
    void reductionsCumsumAndSort() {
        Tensor x = Tensor.of(new double[] {3, 1, 2, 1, 5, 1}, 2, 3);
        assertThat(x.sum(1, false).toDoubleArray()).containsExactly(6, 7);
        assertThat(x.mean(0, true).shape()).containsExactly(1, 3);
        assertThat(x.max(1, false).toDoubleArray()).containsExactly(3, 5);
        assertThat(x.logsumexp(1, false).toDoubleArray()[0]).isCloseTo(Math.log(Math.exp(3) + Math.exp(1) + Math.exp(2)), within(1e-14));
        assertThat(x.cumsum(1).toDoubleArray()).containsExactly(3, 4, 6, 1, 6, 7);
        Tensor[] s = Indexing.sort(x, 1, false);
        assertThat(s[0].toDoubleArray()).containsExactly(1, 2, 3, 1, 1, 5);
        assertThat(s[1].toLongArray()).containsExactly(1, 2, 0, 0, 2, 1); // stable: equal values keep their order
        assertThat(Indexing.sort(x, 1, true)[1].toLongArray()).containsExactly(0, 2, 1, 1, 0, 2);
    }

    @Test
    void gatherScatterAndIndexSelect() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor idx = Tensor.ofLongs(new long[] {2, 0, 1, 1}, 2, 2);
        assertThat(x.gather(1, idx).toDoubleArray()).containsExactly(3, 1, 5, 5);
        assertThat(Indexing.scatterAdd(new int[] {2, 3}, 1, idx, Tensor.ones(DType.FLOAT64, 2, 2)).toDoubleArray()).containsExactly(1, 0, 1, 0, 2, 0);
        assertThat(x.indexSelect(1, Tensor.ofLongs(new long[] {2, 2, 0}, 3)).toDoubleArray()).containsExactly(3, 3, 1, 6, 6, 4);
        Tensor emb = Indexing.embedding(x, Tensor.ofLongs(new long[] {1, 0, 1}, 3, 1));
        assertThat(emb.shape()).containsExactly(3, 1, 3);
        assertThat(emb.toDoubleArray()).containsExactly(4, 5, 6, 1, 2, 3, 4, 5, 6);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> x.gather(1, Tensor.ofLongs(new long[] {3}, 1, 1)))
                .hasMessageContaining("gather: index 3 is out of bounds for size 3");
    }

    @Test
    void dropoutIsSeededInvertedAndKeepsTheRate() {
        Tensor x = Tensor.ones(DType.FLOAT32, 200, 500);
        double[] a = Dropout.apply(x, 0.1, true, new Generator(5)).toDoubleArray();
        double[] b = Dropout.apply(x, 0.1, true, new Generator(5)).toDoubleArray();
        assertThat(a).containsExactly(b);
        int zeros = 0;
        for (double v : a) {
            if (v == 0) zeros++;
            else assertThat(v).isCloseTo(1 / 0.9, within(1e-6));
        }
        assertThat(zeros / 100_000.0).isCloseTo(0.1, within(0.005));
        Generator g = new Generator(5);
        Dropout.apply(x, 0.1, true, g);
        assertThat(Dropout.apply(x, 0.1, true, g).toDoubleArray()).isNotEqualTo(a); // the stream moves on
        assertThat(Dropout.apply(x, 0.1, false, g)).isSameAs(x);
    }

    @Test
    void lossPrimitivesMatchTheirDefinitions() {
        Tensor x = Tensor.of(new double[] {0.0, 2.0, -3.0}, 3), t = Tensor.of(new double[] {1, 0, 0.3}, 3);
        double[] bce = Losses.bceWithLogits(x, t).toDoubleArray();
        assertThat(bce[0]).isCloseTo(Math.log(2), within(1e-15));
        assertThat(bce[1]).isCloseTo(2 + Math.log1p(Math.exp(-2)), within(1e-15));
        assertThat(bce[2]).isCloseTo(-(0.3 * Math.log(1 / (1 + Math.exp(3))) + 0.7 * Math.log(1 - 1 / (1 + Math.exp(3)))), within(1e-14));
        // The gradient at x = 0 is σ(0) − t, not what a max/abs composite would give.
        Tensor x0 = Tensor.of(new double[] {0.0}, 1).requiresGrad(true);
        Losses.bceWithLogits(x0, Tensor.of(new double[] {1.0}, 1)).sum().backward();
        assertThat(x0.grad().item()).isEqualTo(-0.5);

        double p = 1 / (1 + Math.exp(-2.0));
        double focal = Losses.sigmoidFocal(Tensor.of(new double[] {2.0}, 1), Tensor.of(new double[] {1.0}, 1), 0.25, 2).item();
        assertThat(focal).isCloseTo(0.25 * -Math.log(p) * (1 - p) * (1 - p), within(1e-15));

        Tensor logits = Tensor.of(new double[] {1, 2, 3, 1, 1, 1}, 2, 3);
        double ce = Losses.crossEntropy(logits, Tensor.ofLongs(new long[] {2, 0}, 2)).item();
        assertThat(ce).isCloseTo(((Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3) + Math.log(3)) / 2, within(1e-14));

        Tensor a = Tensor.of(new double[] {0, 2, 1, 3}, 2, 2), b = Tensor.of(new double[] {1, 4}, 1, 2);
        double[] giou = Losses.generalizedTemporalIou(a, b).toDoubleArray();
        assertThat(giou[0]).isCloseTo(1.0 / 4 - 0, within(1e-15));  // [0,2] vs [1,4]: inter 1, union 4, hull 4
        assertThat(giou[1]).isCloseTo(2.0 / 3, within(1e-15));      // [1,3] vs [1,4]: inter 2, union 3, hull 3
        double[] far = Losses.generalizedTemporalIou(Tensor.of(new double[] {0, 1}, 1, 2), Tensor.of(new double[] {2, 3}, 1, 2)).toDoubleArray();
        assertThat(far[0]).isCloseTo(0 - (3.0 - 2) / 3, within(1e-15)); // disjoint: negative
        assertThat(Losses.cxwToXx(Tensor.of(new double[] {0.5, 0.2}, 1, 2)).toDoubleArray()).containsExactly(new double[] {0.4, 0.6}, within(1e-15));
        assertThat(Losses.l1(Tensor.of(new double[] {1, 2}, 2), Tensor.of(new double[] {0, 4}, 2)).item()).isEqualTo(1.5);
    }

    @Test
    void l2NormalizeClampsTheNormLikeFNormalize() {
        Tensor x = Tensor.of(new double[] {3, 4, 0, 0}, 2, 2).requiresGrad(true);
        Tensor y = Normalization.l2Normalize(x, -1, 1e-12);
        assertThat(y.toDoubleArray()).containsExactly(0.6, 0.8, 0, 0);
        y.sum().backward();
        for (double g : x.grad().toDoubleArray()) assertThat(Double.isFinite(g)).isTrue(); // zero rows stay finite
    }
}
