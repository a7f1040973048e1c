package trdetr.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * {@link LinearAlgebra#linear} is one node whose forward may add the bias inside the product (the CPU's Vector API
 * GEMM does); it must give, bit for bit, what the product followed by the addition gives, forward and backward, for
 * every input layout the model produces: 2-D, batched 3-D, a transposed view, a permuted 3-D view.
 */
class LinearTest {
    private final Generator gen = new Generator(31);

    /** x·Wᵀ + b composed of the two ops the fused node replaces. */
    private static Tensor composed(Tensor x, Tensor w, Tensor b) { return x.matmul(w, false, true).add(b); }

    private void sameBits(String what, Function<Tensor, Tensor> layout, int in, int... shape) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor[] fused = leaves(dtype, in, shape), plain = copies(fused);
            Tensor y1 = LinearAlgebra.linear(layout.apply(fused[0]), fused[1], fused[2]);
            Tensor y2 = composed(layout.apply(plain[0]), plain[1], plain[2]);
            assertThat(y1.shape()).isEqualTo(y2.shape());
            assertThat(y1.toDoubleArray()).as("%s %s forward", what, dtype).containsExactly(y2.toDoubleArray());
            Tensor seed = Tensor.randn(gen, dtype, y1.shape());
            y1.backward(seed, false);
            y2.backward(seed, false);
            for (int i = 0; i < 3; i++) {
                assertThat(fused[i].grad().toDoubleArray()).as("%s %s gradient %d", what, dtype, i).containsExactly(plain[i].grad().toDoubleArray());
            }
        }
    }

    /** x (stored with {@code shape}), W (37, in) and b (37), all requiring gradients. */
    private Tensor[] leaves(DType dtype, int in, int... shape) {
        return new Tensor[] {Tensor.randn(gen, dtype, shape).requiresGrad(true), Tensor.randn(gen, dtype, 37, in).requiresGrad(true),
                             Tensor.randn(gen, dtype, 37).requiresGrad(true)};
    }

    private static Tensor[] copies(Tensor[] t) {
        Tensor[] c = new Tensor[t.length];
        for (int i = 0; i < t.length; i++) c[i] = t[i].detach().contiguousCopy().requiresGrad(true);
        return c;
    }

    @Test void twoDimensional() { sameBits("2-d", x -> x, 300, 45, 300); }

    @Test void batchedRows() { sameBits("3-d", x -> x, 70, 3, 25, 70); }

    @Test void aTransposedView() { sameBits("transposed view", x -> x.transpose(0, 1), 70, 70, 45); }

    @Test void aPermutedBatch() { sameBits("permuted 3-d view", x -> x.permute(1, 0, 2), 40, 9, 13, 40); }

    /** Weight and bias that are views into larger storage (a slice at an offset), as split parameters are. */
    @Test
    void slicedWeightAndBias() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.randn(gen, dtype, 20, 16), wAll = Tensor.randn(gen, dtype, 3 * 37, 16), bAll = Tensor.randn(gen, dtype, 3 * 37);
            Tensor w = wAll.slice(0, 37, 74), b = bAll.slice(0, 37, 74);
            assertThat(LinearAlgebra.linear(x, w, b).toDoubleArray()).as("%s", dtype).containsExactly(composed(x, w, b).toDoubleArray());
        }
    }

    /** No in-features: every row is the bias; no out-features: an empty result of the right shape. */
    @Test
    void emptyProducts() {
        Tensor b = Tensor.randn(gen, DType.FLOAT32, 37);
        assertThat(LinearAlgebra.linear(Tensor.zeros(DType.FLOAT32, 4, 0), Tensor.zeros(DType.FLOAT32, 37, 0), b).toFloatArray())
                .containsExactly(composed(Tensor.zeros(DType.FLOAT32, 4, 0), Tensor.zeros(DType.FLOAT32, 37, 0), b).toFloatArray());
        Tensor x = Tensor.randn(gen, DType.FLOAT32, 2, 3, 5).requiresGrad(true);
        Tensor y = LinearAlgebra.linear(x, Tensor.zeros(DType.FLOAT32, 0, 5), Tensor.zeros(DType.FLOAT32, 0));
        assertThat(y.shape()).containsExactly(2, 3, 0);
        y.backward(Tensor.zeros(DType.FLOAT32, 2, 3, 0), false);
        assertThat(x.grad().toFloatArray()).containsOnly(0f);
    }

    /** More than one K block (k above the GEMM's block of 256): the bias is added once, after the last. */
    @Test void severalKBlocks() { sameBits("k = 600", x -> x, 600, 33, 600); }
}
