package trdetr.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import trdetr.gradcheck.DeviceCheck;
import trdetr.gradcheck.OpCase;
import trdetr.nn.GRU;
import trdetr.ops.Attention;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * The fused kernels (attention.cu, gru.cu) at the model's sizes, against the CPU backend through {@link DeviceCheck}
 * (forward and gradients, float32 and float64, outputs poisoned with NaN). The OpCases cover the same ops at small
 * sizes; these add many query and key tiles, TR-DETR's head dims, and one shape beyond the fused kernel (fallback).
 */
class FusedKernelsCudaTest {
    static Stream<OpCase> cases() {
        return Stream.of(
            // encoder self-attention: 75 clips + 32 words, hidden 256 over 8 heads, key padding, training dropout
            attention("self-attention 107 keys d32", 4, 8, 107, 107, 32, 32, true, false, 0.1),
            // DAB decoder cross-attention: 10 queries, 75 clips, query/key head dim 64, value head dim 32
            attention("cross-attention d64 dv32", 4, 8, 10, 75, 64, 32, true, false, 0.1),
            // T2V encoder: per-head mask and text padding together, evaluation
            attention("t2v both masks", 2, 8, 75, 32, 32, 32, true, true, 0),
            // beyond the fused kernel's 128 keys: the composed default on the device
            attention("fallback 150 keys", 2, 2, 20, 150, 32, 32, true, false, 0.1),
            // Weights at torch.nn.GRU's init scale (±1/√hidden): with N(0, 1) weights a 128-unit GRU is chaotic over 64
            // steps, and float64 rounding differences of 1e-16 grow to 1e-2 whatever the kernels do.
            new OpCase("gru 64 steps hidden 128", g -> ins(r(g, 4, 64, 96), r(g, 4, 128), scaled(g, 1 / Math.sqrt(128), 384, 96),
                    scaled(g, 1 / Math.sqrt(128), 384, 128), scaled(g, 1 / Math.sqrt(128), 384), scaled(g, 1 / Math.sqrt(128), 384)),
                    x -> GRU.run(x[0], x[1], x[2], x[3], x[4], x[5])[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheCpuBackend(OpCase c) {
        assumeTrue(CudaBackend.isAvailable(), "no usable CUDA GPU: the fused kernels are checked on a GPU machine");
        CudaBackend.get().setPoison(true);
        DeviceCheck.Result r = DeviceCheck.check(c, 7, CudaBackend.get());
        System.out.println(r.line());
        assertThat(r.passed()).as(r.line()).isTrue();
    }

    private static OpCase attention(String name, int batch, int heads, int lq, int lk, int d, int dv, boolean padding,
                                    boolean headMask, double p) {
        int n = batch * heads;
        // Both masks are always made (DeviceCheck moves every input); the flags say which the op uses.
        Function<Generator, Tensor[]> inputs = g -> ins(r(g, lq, n, d), r(g, lk, n, d), r(g, lk, n, dv),
                Tensor.uniform(g, DType.FLOAT64, 0, 1, n, lq, lk).gt(0.8), padding(g, batch, lk));
        return new OpCase(name, inputs, x -> {
            Tensor q = x[0].mul(1 / Math.sqrt(d)).transpose(0, 1), k = x[1].transpose(0, 1), v = x[2].transpose(0, 1);
            Tensor mask = Attention.combineMasks(headMask ? x[3] : null, padding ? x[4] : null, batch, heads, lq, lk);
            return Attention.apply(q, k, v, mask, p, p > 0, new Generator(3)).output();
        });
    }

    private static Tensor[] ins(Tensor... t) { return t; }

    private static Tensor r(Generator g, int... shape) { return Tensor.randn(g, DType.FLOAT64, shape).requiresGrad(true); }

    private static Tensor scaled(Generator g, double scale, int... shape) {
        return Tensor.randn(g, DType.FLOAT64, shape).mul(scale).detach().requiresGrad(true);
    }

    /** (batch, lk) key padding: sequence b keeps a random prefix (at least one key), the last one is fully padded. */
    private static Tensor padding(Generator g, int batch, int lk) {
        boolean[] m = new boolean[batch * lk];
        for (int b = 0; b < batch; b++) {
            int valid = b == batch - 1 ? 0 : 1 + g.nextInt(lk);
            for (int j = valid; j < lk; j++) m[b * lk + j] = true;
        }
        return Tensor.ofBools(m, batch, lk);
    }
}
