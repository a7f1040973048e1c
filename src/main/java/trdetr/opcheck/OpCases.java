package trdetr.opcheck;

import java.util.List;
import java.util.function.Function;
import trdetr.nn.GRU;
import trdetr.ops.Attention;
import trdetr.ops.Dropout;
import trdetr.ops.Indexing;
import trdetr.ops.LinearAlgebra;
import trdetr.ops.Losses;
import trdetr.ops.Normalization;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** Every differentiable op, one line each: random shapes (with broadcasting, masks and padding where they apply). */
public final class OpCases {
    private OpCases() {}

    public static List<OpCase> all() {
        return List.of(
            // element-wise, one input
            c("neg", g -> ins(r(g, d(g), d(g))), x -> x[0].neg()),
            c("exp", g -> ins(r(g, d(g), d(g))), x -> x[0].exp()),
            c("log", g -> ins(pos(g, d(g), d(g))), x -> x[0].log()),
            c("log1p", g -> ins(pos(g, d(g), d(g))), x -> x[0].log1p()),
            c("sqrt", g -> ins(pos(g, d(g), d(g))), x -> x[0].sqrt()),
            c("tanh", g -> ins(r(g, d(g), d(g))), x -> x[0].tanh()),
            c("sigmoid", g -> ins(r(g, d(g), d(g))), x -> x[0].sigmoid()),
            c("relu", g -> ins(away(g, d(g), d(g))), x -> x[0].relu()),
            c("abs", g -> ins(away(g, d(g), d(g))), x -> x[0].abs()),
            c("sin", g -> ins(r(g, d(g), d(g))), x -> x[0].sin()),
            c("cos", g -> ins(r(g, d(g), d(g))), x -> x[0].cos()),
            c("affine (x*a+b)", g -> ins(r(g, d(g), d(g))), x -> x[0].mul(-1.5).add(0.25)),
            c("pow 2.5", g -> ins(pos(g, d(g), d(g))), x -> x[0].pow(2.5)),
            c("pow 3", g -> ins(r(g, d(g), d(g))), x -> x[0].pow(3)),
            c("clamp", g -> ins(firstInside(r(g, d(g), d(g)))), x -> x[0].clamp(-0.7, 0.9)),
            c("prelu", g -> ins(away(g, d(g), d(g), d(g)), r(g, 1)), x -> x[0].prelu(x[1])),
            c("prelu per channel", g -> { int k = d(g); return ins(away(g, d(g), k), r(g, k)); }, x -> x[0].prelu(x[1])),
            // element-wise, two or three inputs, broadcasting
            c("add broadcast", g -> { int a = d(g), b = d(g), k = d(g); return ins(r(g, a, b, k), r(g, b, 1)); }, x -> x[0].add(x[1])),
            c("sub broadcast", g -> { int a = d(g), b = d(g), k = d(g); return ins(r(g, k), r(g, a, b, k)); }, x -> x[0].sub(x[1])),
            c("mul broadcast", g -> { int a = d(g), b = d(g), k = d(g); return ins(r(g, a, 1, k), r(g, b, 1)); }, x -> x[0].mul(x[1])),
            c("div broadcast", g -> { int a = d(g), b = d(g); return ins(r(g, a, b), pos(g, b)); }, x -> x[0].div(x[1])),
            c("maximum", g -> { int a = d(g), b = d(g); return ins(r(g, a, b), r(g, a, b)); }, x -> x[0].maximum(x[1])),
            c("minimum broadcast", g -> { int a = d(g), b = d(g); return ins(r(g, a, b), r(g, 1, b)); }, x -> x[0].minimum(x[1])),
            c("where", g -> { int a = d(g), b = d(g); return ins(mask(g, a, b), r(g, a, b), r(g, b)); }, x -> x[1].where(x[0], x[2])),
            c("masked_fill", g -> { int a = d(g), b = d(g), k = d(g); return ins(r(g, a, b, k), mask(g, a, 1, k)); }, x -> x[0].maskedFill(x[1], -3.0)),
            // reductions
            c("sum axis", g -> ins(r(g, d(g), d(g), d(g))), x -> x[0].sum(1, false)),
            c("sum all", g -> ins(r(g, d(g), d(g))), x -> x[0].sum()),
            c("mean axis keepdim", g -> ins(r(g, d(g), d(g), d(g))), x -> x[0].mean(-1, true)),
            c("mean all", g -> ins(r(g, d(g), d(g))), x -> x[0].mean()),
            c("max axis", g -> ins(r(g, d(g), d(g), d(g))), x -> x[0].max(1, true)),
            c("min axis", g -> ins(r(g, d(g), d(g))), x -> x[0].min(0, false)),
            c("logsumexp", g -> ins(r(g, d(g), d(g), d(g))), x -> x[0].logsumexp(-1, false)),
            // matrix products
            c("matmul", g -> { int m = d(g), k = d(g), n = d(g); return ins(r(g, m, k), r(g, k, n)); }, x -> x[0].matmul(x[1])),
            c("matmul a·bᵀ", g -> { int m = d(g), k = d(g), n = d(g); return ins(r(g, m, k), r(g, n, k)); }, x -> x[0].matmul(x[1], false, true)),
            c("matmul aᵀ·b", g -> { int m = d(g), k = d(g), n = d(g); return ins(r(g, k, m), r(g, k, n)); }, x -> x[0].matmul(x[1], true, false)),
            c("matmul aᵀ·bᵀ", g -> { int m = d(g), k = d(g), n = d(g); return ins(r(g, k, m), r(g, n, k)); }, x -> x[0].matmul(x[1], true, true)),
            c("bmm", g -> { int b = d(g), m = d(g), k = d(g), n = d(g); return ins(r(g, b, m, k), r(g, b, k, n)); }, x -> x[0].matmul(x[1])),
            c("bmm a·bᵀ 4-d", g -> { int m = d(g), k = d(g); return ins(r(g, 2, 3, m, k), r(g, 2, 3, m, k)); }, x -> x[0].matmul(x[1], false, true)),
            c("bmm shared rhs", g -> { int b = d(g), m = d(g), k = d(g), n = d(g); return ins(r(g, b, m, k), r(g, k, n)); }, x -> x[0].matmul(x[1])),
            c("bmm aᵀ shared rhs", g -> { int b = d(g), m = d(g), k = d(g), n = d(g); return ins(r(g, b, k, m), r(g, n, k)); }, x -> x[0].matmul(x[1], true, true)),
            c("bmm shared lhs", g -> { int b = d(g), m = d(g), k = d(g), n = d(g); return ins(r(g, m, k), r(g, b, k, n)); }, x -> x[0].matmul(x[1])),
            c("matmul transposed view", g -> { int b = d(g), m = d(g), k = d(g); return ins(r(g, b, k, m), r(g, b, k, m)); }, x -> x[0].mT().matmul(x[1])),
            c("linear", g -> { int b = d(g), l = d(g), i = d(g), o = d(g); return ins(r(g, b, l, i), r(g, o, i), r(g, o)); }, x -> LinearAlgebra.linear(x[0], x[1], x[2])),
            // softmax and normalisation
            c("softmax", g -> ins(r(g, d(g), d(g), d(g) + 1)), x -> x[0].softmax(-1)),
            c("softmax middle axis", g -> ins(r(g, d(g), d(g) + 1, d(g))), x -> x[0].softmax(1)),
            c("log_softmax", g -> ins(r(g, d(g), d(g) + 1)), x -> x[0].logSoftmax(-1)),
            c("softmax additive mask", g -> { int a = d(g), n = d(g) + 1; return ins(r(g, a, n), padMask(g, a, n)); },
                    x -> x[0].add(x[1].to(x[0].dtype()).mul(-1e30)).softmax(-1)),
            c("softmax -inf key padding", g -> { int a = d(g), q = d(g), n = d(g) + 1; return ins(r(g, a, q, n), padMask(g, a, n)); },
                    x -> Normalization.maskedSoftmax(x[0], x[1].unsqueeze(1), -1)),
            c("softmax fully masked row", g -> { int n = d(g) + 1; return ins(r(g, 3, n), rowMask(n)); }, x -> Normalization.maskedSoftmax(x[0], x[1], -1)),
            c("log_softmax -inf padding", g -> { int a = d(g), n = d(g) + 1; return ins(r(g, a, n), padMask(g, a, n)); },
                    x -> x[0].maskedFill(x[1], Double.NEGATIVE_INFINITY).logSoftmax(-1).maskedFill(x[1], 0.0)),
            // n ≥ 3: with two features the normalised output is ±1 whatever x is, and the gradient is only the eps term.
            c("layer_norm", g -> { int n = d(g) + 2; return ins(r(g, d(g), d(g), n), r(g, n), r(g, n)); }, x -> Normalization.layerNorm(x[0], x[1], x[2], 1e-5)),
            c("layer_norm zero padded rows", g -> { int n = d(g) + 2; return ins(r(g, 3, n).mul(zeroRows(3, n)).detach().requiresGrad(true), r(g, n), r(g, n)); },
                    x -> Normalization.layerNorm(x[0], x[1], x[2], 1e-5)),
            c("l2 normalize", g -> ins(r(g, d(g), d(g) + 1)), x -> Normalization.l2Normalize(x[0], -1, 1e-12)),
            c("norm", g -> ins(r(g, d(g), d(g))), x -> Normalization.norm(x[0], 0, false)),
            c("dropout", g -> ins(r(g, d(g), d(g), d(g))), x -> Dropout.apply(x[0], 0.3, true, new Generator(11))),
            // fused attention core (q, k, v given sequence-first and head-split by a transpose, as the model does);
            // shapes cross the CUDA kernels' tiles (16 queries, 32 and 16 keys) and use head dims 32 and 64
            c("attention d32", g -> ins(r(g, 5, 4, 32), r(g, 7, 4, 32), r(g, 7, 4, 32)),
                    x -> attention(x, null, null, 2, 0, false)),
            c("attention key padding d64", g -> ins(r(g, 6, 4, 64), r(g, 9, 4, 64), r(g, 9, 4, 32), padMask(g, 2, 9)),
                    x -> attention(x, null, x[3], 2, 0, false)),
            c("attention head mask", g -> ins(r(g, 17, 3, 32), r(g, 35, 3, 32), r(g, 35, 3, 32), headMask(g, 3, 17, 35)),
                    x -> attention(x, x[3], null, 3, 0, false)),
            c("attention both masks dropout", g -> ins(r(g, 18, 4, 64), r(g, 20, 4, 64), r(g, 20, 4, 64), headMask(g, 4, 18, 20), padMask(g, 2, 20)),
                    x -> attention(x, x[3], x[4], 2, 0.3, true)),
            c("attention dropout d64", g -> ins(r(g, 20, 2, 64), r(g, 33, 2, 64), r(g, 33, 2, 32)),
                    x -> attention(x, null, null, 2, 0.2, true)),
            c("attention dropout eval", g -> ins(r(g, 3, 2, 32), r(g, 4, 2, 32), r(g, 4, 2, 32)),
                    x -> attention(x, null, null, 1, 0.5, false)),
            // indexing and shape
            c("embedding", g -> { int v = d(g) + 1; return ins(r(g, v, d(g)), idx(g, v, d(g), d(g))); }, x -> Indexing.embedding(x[0], x[1])),
            c("gather", g -> { int a = d(g), b = d(g), k = d(g); return ins(r(g, a, b, k), idx(g, b, a, d(g), k)); }, x -> x[0].gather(1, x[1])),
            c("index_select", g -> { int a = d(g), b = d(g); return ins(r(g, a, b), idx(g, a, d(g) + 2)); }, x -> x[0].indexSelect(0, x[1])),
            c("scatter_add", g -> { int a = d(g), b = d(g), m = d(g); return ins(r(g, a, b), idx(g, b, a, m), r(g, a, m)); },
                    x -> Indexing.scatterAdd(x[0], 1, x[1], x[2])),
            c("cat", g -> { int a = d(g); return ins(r(g, a, d(g)), r(g, a, d(g)), r(g, a, d(g))); }, x -> Tensor.cat(List.of(x[0], x[1], x[2]), 1)),
            c("stack", g -> { int a = d(g), b = d(g); return ins(r(g, a, b), r(g, a, b)); }, x -> Tensor.stack(List.of(x[0], x[1]), 1)),
            c("split", g -> ins(r(g, d(g), 6)), x -> { List<Tensor> p = Indexing.split(x[0], 1, 1, 2, 3); return Tensor.cat(List.of(p.get(2), p.get(0).mul(2.0), p.get(1).exp()), 1); }),
            c("slice negative", g -> ins(r(g, d(g), d(g) + 3)), x -> x[0].slice(1, 1, -1)),
            c("select", g -> ins(r(g, d(g), d(g), d(g))), x -> x[0].select(1, -1)),
            c("permute", g -> ins(r(g, d(g), d(g), d(g))), x -> x[0].permute(2, 0, 1).contiguous()),
            c("transpose then reshape", g -> ins(r(g, d(g), d(g), 2)), x -> x[0].transpose(0, 1).reshape(-1)),
            c("expand", g -> ins(r(g, d(g), 1, d(g))), x -> x[0].expand(x[0].size(0), 4, x[0].size(2)).mul(x[0].expand(x[0].size(0), 4, x[0].size(2)))),
            c("unsqueeze squeeze", g -> ins(r(g, d(g), d(g))), x -> x[0].unsqueeze(1).exp().squeeze(1)),
            c("cumsum", g -> ins(r(g, d(g), d(g), d(g))), x -> x[0].cumsum(1)),
            c("sort values", g -> ins(r(g, d(g), d(g) + 1)), x -> Indexing.sort(x[0], -1, true)[0]),
            c("sort axis 0", g -> ins(r(g, d(g) + 1, d(g))), x -> Indexing.sort(x[0], 0, false)[0]),
            // layers
            c("gru", g -> { int b = 2, l = 3, in = 4, h = 3; return ins(r(g, b, l, in), r(g, b, h), r(g, 3 * h, in), r(g, 3 * h, h), r(g, 3 * h), r(g, 3 * h)); },
                    x -> GRU.run(x[0], x[1], x[2], x[3], x[4], x[5])[0]),
            c("gru last state", g -> { int b = d(g), l = d(g) + 1, in = d(g), h = d(g); return ins(r(g, b, l, in), r(g, b, h), r(g, 3 * h, in), r(g, 3 * h, h), r(g, 3 * h), r(g, 3 * h)); },
                    x -> GRU.run(x[0], x[1], x[2], x[3], x[4], x[5])[1]),
            // loss primitives (fused kernels on CUDA), and each as the criterion calls it
            c("cross_entropy", g -> { int n = d(g), k = d(g) + 1; return ins(r(g, n, k), idx(g, k, n)); }, x -> Losses.crossEntropy(x[0], x[1])),
            c("cross_entropy both ways (vtc)", g -> { int n = d(g) + 1; return ins(r(g, n, n)); },
                    x -> { Tensor labels = Tensor.arange(x[0].size(0)); return Losses.crossEntropy(x[0], labels).add(Losses.crossEntropy(x[0].mT(), labels)); }),
            c("cross_entropy -inf logits", g -> { int n = d(g), k = d(g) + 1; return ins(r(g, n, k), padMask(g, n, k), idx(g, 1, n)); },
                    x -> Losses.crossEntropy(x[0].maskedFill(x[1], Double.NEGATIVE_INFINITY), x[2])),
            c("bce_with_logits", g -> { int a = d(g), b = d(g); return ins(r(g, a, b), uniform(g, 0, 1, a, b)); }, x -> Losses.bceWithLogits(x[0], x[1])),
            c("bce_with_logits broadcast target", g -> { int a = d(g), b = d(g); return ins(r(g, a, b), grad(uniform(g, 0, 1, 1, b))); },
                    x -> Losses.bceWithLogits(x[0], x[1])),
            // CTC: the last clip of every sample is padding, whose logit is 0 exactly (the similarity is multiplied by the
            // video mask). Unscaled by CTC's 1/0.07: saturated sigmoids would leave gradients too small to compare.
            c("bce_with_logits padded (ctc)", g -> { int a = d(g), b = d(g) + 1; return ins(r(g, a, b), binary(g, a, b), zeroRows(b, a).mT()); },
                    x -> Losses.bceWithLogits(x[0].mul(x[2]), x[1]).mean()),
            c("sigmoid_focal", g -> { int a = d(g), b = d(g); return ins(r(g, a, 2, b), binary(g, a, 2, b)); }, x -> Losses.sigmoidFocal(x[0], x[1], 0.25, 2).mean()),
            // loss_label: (B, Q, 2) logits seen as (B, 2, Q) through a transpose
            c("sigmoid_focal transposed (label)", g -> { int a = d(g), q = d(g); return ins(r(g, a, q, 2), binary(g, a, 2, q)); },
                    x -> Losses.sigmoidFocal(x[0].transpose(1, 2), x[1], 0.25, 2).mean()),
            c("sigmoid_focal soft γ 1.5 no α", g -> { int a = d(g), b = d(g); return ins(r(g, a, b), uniform(g, 0, 1, a, b)); },
                    x -> Losses.sigmoidFocal(x[0], x[1], -1, 1.5)),
            c("l1", g -> { int a = d(g), b = d(g); return ins(away(g, a, b), r(g, a, b)); }, x -> Losses.l1(x[0].add(x[1]), x[1].mul(0.5))),
            c("generalized_temporal_iou", g -> ins(spans(g, d(g)), spans(g, d(g))), x -> Losses.generalizedTemporalIou(x[0], x[1])),
            // loss_giou: matched (center, width) pairs, the diagonal of the pairwise matrix
            c("giou matched pairs (loss)", g -> { int n = d(g); return ins(centerWidth(g, n), centerWidth(g, n)); },
                    x -> Losses.generalizedTemporalIou(Losses.cxwToXx(x[0]), Losses.cxwToXx(x[1]))
                            .gather(1, Tensor.arange(x[0].size(0)).unsqueeze(1)).rsub(1.0).mean()),
            c("span cxw to xx", g -> ins(r(g, d(g), 2)), x -> Losses.cxwToXx(x[0])));
    }

    /**
     * The attention core as the model calls it: q (Lq, B·h, d), k (Lk, B·h, d), v (Lk, B·h, dv) are split into heads
     * by a transpose (strided views), q scaled by 1/√d, masks combined into one (B, h, Lq, Lk) view.
     */
    private static Tensor attention(Tensor[] x, Tensor attnMask, Tensor keyPadding, int batch, double p, boolean training) {
        Tensor q = x[0].mul(1 / Math.sqrt(x[0].size(2))).transpose(0, 1), k = x[1].transpose(0, 1), v = x[2].transpose(0, 1);
        int n = q.size(0), lq = q.size(1), lk = k.size(1);
        Tensor mask = Attention.combineMasks(attnMask, keyPadding, batch, n / batch, lq, lk);
        return Attention.apply(q, k, v, mask, p, training, new Generator(11)).output();
    }

    // ------------------------------------------------------------------ input makers

    private static OpCase c(String name, Function<Generator, Tensor[]> inputs, Function<Tensor[], Tensor> op) {
        return new OpCase(name, inputs, op);
    }

    private static Tensor[] ins(Tensor... t) { return t; }

    /** A random dimension in [1, 5]. */
    private static int d(Generator g) { return 1 + g.nextInt(5); }

    private static Tensor grad(Tensor t) { return t.detach().requiresGrad(true); }

    /** Standard normal, differentiated. */
    private static Tensor r(Generator g, int... shape) { return grad(Tensor.randn(g, DType.FLOAT64, shape)); }

    /** In [0.5, 2], differentiated (for log, sqrt, pow, division). */
    private static Tensor pos(Generator g, int... shape) { return grad(Tensor.uniform(g, DType.FLOAT64, 0.5, 2, shape)); }

    /** |x| in [0.2, 1.5] with random sign, differentiated (away from the kink of relu and abs). */
    private static Tensor away(Generator g, int... shape) {
        double[] v = Tensor.uniform(g, DType.FLOAT64, 0.2, 1.5, shape).toDoubleArray();
        for (int i = 0; i < v.length; i++) if (i % 2 == 1 || (i > 1 && g.nextDouble() < 0.3)) v[i] = -v[i]; // both signs present, first positive
        return grad(Tensor.of(v, shape));
    }

    /** The same values with the first one set to 0.1, inside the clamp range, so some gradient always gets through. */
    private static Tensor firstInside(Tensor t) {
        double[] v = t.toDoubleArray();
        v[0] = 0.1;
        return grad(Tensor.of(v, t.shape()));
    }

    private static Tensor uniform(Generator g, double lo, double hi, int... shape) { return Tensor.uniform(g, DType.FLOAT64, lo, hi, shape); }

    private static Tensor binary(Generator g, int... shape) { return uniform(g, 0, 1, shape).gt(0.5).to(DType.FLOAT64); }

    /** A random mask whose first element is false (and second true), so some gradient always gets through. */
    private static Tensor mask(Generator g, int... shape) {
        boolean[] m = uniform(g, 0, 1, shape).gt(0.5).toBoolArray();
        m[0] = false;
        if (m.length > 1) m[1] = true;
        return Tensor.ofBools(m, shape);
    }

    private static Tensor idx(Generator g, int bound, int... shape) {
        long[] v = new long[Tensor.zeros(DType.BOOL, shape).numel()];
        for (int i = 0; i < v.length; i++) v[i] = g.nextInt(bound);
        return Tensor.ofLongs(v, shape);
    }

    /** Key padding (n ≥ 2): each row keeps a random valid prefix (row 0 at least two positions), the rest is padding (true). */
    private static Tensor padMask(Generator g, int rows, int n) {
        boolean[] m = new boolean[rows * n];
        for (int b = 0; b < rows; b++) {
            int valid = b == 0 ? 2 + g.nextInt(n - 1) : 1 + g.nextInt(n);
            for (int j = valid; j < n; j++) m[b * n + j] = true;
        }
        return Tensor.ofBools(m, rows, n);
    }

    /** A random (n, lq, lk) attention mask with query row 1 of head 0 entirely masked and element 0 of every head not. */
    private static Tensor headMask(Generator g, int n, int lq, int lk) {
        boolean[] m = uniform(g, 0, 1, n, lq, lk).gt(0.7).toBoolArray();
        for (int h = 0; h < n; h++) m[h * lq * lk] = false;
        for (int j = 0; j < lk; j++) m[lk + j] = true;
        return Tensor.ofBools(m, n, lq, lk);
    }

    /** Row 1 of a (3, n) mask entirely true. */
    private static Tensor rowMask(int n) {
        boolean[] m = new boolean[3 * n];
        for (int j = 0; j < n; j++) m[n + j] = true;
        return Tensor.ofBools(m, 3, n);
    }

    /** A (rows, n) float mask that zeroes the last row, like a padded position. */
    private static Tensor zeroRows(int rows, int n) {
        double[] m = new double[rows * n];
        java.util.Arrays.fill(m, 0, (rows - 1) * n, 1.0);
        return Tensor.of(m, rows, n);
    }

    /** (n, 2) spans (center, width), centers in [0, 1), widths in [0.05, 0.55), differentiated. */
    private static Tensor centerWidth(Generator g, int n) {
        double[] v = new double[2 * n];
        for (int i = 0; i < 2 * n; i++) v[i] = i % 2 == 0 ? g.nextDouble() : 0.05 + 0.5 * g.nextDouble();
        return grad(Tensor.of(v, n, 2));
    }

    /** (n, 2) spans (start, end) with end > start, differentiated. */
    private static Tensor spans(Generator g, int n) {
        double[] v = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double s = g.nextDouble(), w = 0.05 + 0.5 * g.nextDouble();
            v[2 * i] = s;
            v[2 * i + 1] = s + w;
        }
        return grad(Tensor.of(v, n, 2));
    }
}
