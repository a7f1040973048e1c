package trdetr.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import trdetr.opcheck.DeviceCheck;
import trdetr.opcheck.OpCase;
import trdetr.nn.GRU;
import trdetr.ops.Attention;
import trdetr.ops.Losses;
import trdetr.ops.Normalization;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * The fused kernels (attention.cu, gru.cu, losses.cu, layer norm's two-pass parameter gradients) at the model's sizes,
 * against the CPU backend through {@link DeviceCheck} (forward and gradients, float32 and float64, outputs poisoned
 * with NaN). The OpCases cover the same ops at small sizes; these add many query and key tiles, TR-DETR's head dims,
 * one attention shape beyond the fused kernel (fallback), the criterion's batch sizes, rows wider than a block, many
 * row chunks and column tiles, and gIoU's ties (which finite differences cannot check).
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
                    x -> GRU.run(x[0], x[1], x[2], x[3], x[4], x[5])[0]),
            // layer norm: 3,001 rows in 47 chunks of 64, 257 features in 9 column tiles of 32 (the last one partial)
            new OpCase("layer_norm 3001 x 257", g -> ins(r(g, 3001, 257), r(g, 257), r(g, 257)),
                    x -> Normalization.layerNorm(x[0], x[1], x[2], 1e-5)),
            // 70,001 rows: chunks of 69 rows (at most 1,024 chunks)
            new OpCase("layer_norm 70001 x 33", g -> ins(r(g, 70001, 33), r(g, 33), r(g, 33)),
                    x -> Normalization.layerNorm(x[0], x[1], x[2], 1e-5)),
            // the criterion at batch 32: VTC's 32 × 32 logits both ways, CTC over 75 clips (padding after clip 60),
            // loss_label on 10 queries, span losses on 60 matched pairs, the matcher's 320 × 60 pairwise gIoU
            new OpCase("cross_entropy vtc 32", g -> ins(r(g, 32, 32)), x -> {
                Tensor labels = Tensor.arange(32);
                return Losses.crossEntropy(x[0], labels).add(Losses.crossEntropy(x[0].mT(), labels));
            }),
            new OpCase("cross_entropy 300 classes", g -> ins(r(g, 7, 300), index(g, 300, 7)), x -> Losses.crossEntropy(x[0], x[1])),
            new OpCase("bce_with_logits ctc 32 x 75", g -> ins(r(g, 32, 75), binary(g, 32, 75), clipMask(32, 75, 60)),
                    x -> Losses.bceWithLogits(x[0].mul(x[2]), x[1]).mean()),
            new OpCase("sigmoid_focal label 32 x 10", g -> ins(r(g, 32, 10, 2), binary(g, 32, 2, 10)),
                    x -> Losses.sigmoidFocal(x[0].transpose(1, 2), x[1], 0.25, 2).mean()),
            new OpCase("l1 and giou 60 matched", g -> ins(centerWidth(g, 60), centerWidth(g, 60)), x -> {
                Tensor giou = Losses.generalizedTemporalIou(Losses.cxwToXx(x[0]), Losses.cxwToXx(x[1]));
                return Losses.l1(x[0], x[1]).add(giou.gather(1, Tensor.arange(60).unsqueeze(1)).rsub(1.0).mean());
            }),
            new OpCase("giou pairwise 320 x 60", g -> ins(centerWidth(g, 320), centerWidth(g, 60)),
                    x -> Losses.generalizedTemporalIou(Losses.cxwToXx(x[0]), Losses.cxwToXx(x[1]))),
            new OpCase("giou ties", FusedKernelsCudaTest::tiedSpans, x -> Losses.generalizedTemporalIou(x[0], x[1])));
    }

    @org.junit.jupiter.api.Test
    void anOutOfRangeTargetIsTheCpuError() {
        assumeTrue(CudaBackend.isAvailable(), "no usable CUDA GPU: the fused kernels are checked on a GPU machine");
        CudaBackend cuda = CudaBackend.get();
        Tensor logits = Tensor.zeros(DType.FLOAT32, 3, 4).to(cuda);
        Tensor target = Tensor.ofLongs(new long[] {0, 4, 1}, 3).to(cuda);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Losses.crossEntropy(logits, target))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("4");
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

    private static Tensor binary(Generator g, int... shape) {
        return Tensor.uniform(g, DType.FLOAT64, 0, 1, shape).gt(0.5).to(DType.FLOAT64);
    }

    private static Tensor index(Generator g, int bound, int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = g.nextInt(bound);
        return Tensor.ofLongs(v, n);
    }

    /** (batch, clips) float video mask: 1 on the first valid clips of each sample, 0 on the padding after them. */
    private static Tensor clipMask(int batch, int clips, int valid) {
        double[] m = new double[batch * clips];
        for (int b = 0; b < batch; b++) java.util.Arrays.fill(m, b * clips, b * clips + valid, 1.0);
        return Tensor.of(m, batch, clips);
    }

    /** (n, 2) spans (center, width), differentiated. */
    private static Tensor centerWidth(Generator g, int n) {
        double[] v = new double[2 * n];
        for (int i = 0; i < 2 * n; i++) v[i] = i % 2 == 0 ? g.nextDouble() : 0.05 + 0.5 * g.nextDouble();
        return Tensor.of(v, n, 2).requiresGrad(true);
    }

    /**
     * 8 spans (start, end) and, row for row, spans that tie with them: the same span (every min and max tied), one
     * that starts where it ends (intersection exactly 0, clamp_min at its bound), the same start, the same end.
     */
    private static Tensor[] tiedSpans(Generator g) {
        int n = 8;
        double[] a = new double[2 * n], b = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double s = g.nextDouble(), w = 0.1 + 0.4 * g.nextDouble(), w2 = 0.1 + 0.4 * g.nextDouble();
            a[2 * i] = s;
            a[2 * i + 1] = s + w;
            switch (i % 4) {
                case 0: b[2 * i] = s; b[2 * i + 1] = s + w; break;
                case 1: b[2 * i] = s + w; b[2 * i + 1] = s + w + w2; break;
                case 2: b[2 * i] = s; b[2 * i + 1] = s + w2; break;
                default: b[2 * i] = s + w - w2; b[2 * i + 1] = s + w; break;
            }
        }
        return ins(Tensor.of(a, n, 2).requiresGrad(true), Tensor.of(b, n, 2).requiresGrad(true));
    }

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
