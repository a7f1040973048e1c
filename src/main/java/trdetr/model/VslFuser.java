package trdetr.model;

import java.util.List;
import trdetr.nn.Dropout;
import trdetr.nn.Init;
import trdetr.nn.Linear;
import trdetr.nn.Module;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * VSLFuser (spec §2.2): context–query attention from the video to the text, then concatenation with an attention-pooled
 * text vector, ReLU. Masks are additive: x + (1 − valid)·(−1e30).
 */
public final class VslFuser extends Module {
    private final CqAttention cqAttention;
    private final CqConcatenate cqConcat;

    public VslFuser(int dim, double dropout, Generator gen, DType dtype) {
        cqAttention = child("cq_attention", new CqAttention(dim, dropout, gen, dtype));
        cqConcat = child("cq_concat", new CqConcatenate(dim, gen, dtype));
    }

    /** video (B, Lv, d), text (B, Lt, d), valid masks (B, Lv) and (B, Lt) as floats → (B, Lv, d). */
    public Tensor forward(Tensor video, Tensor text, Tensor videoValid, Tensor textValid) {
        Tensor a = cqAttention.forward(video, text, videoValid, textValid);
        return emit(cqConcat.forward(a, text, textValid).relu());
    }

    static Tensor maskLogits(Tensor x, Tensor valid) { return x.add(valid.rsub(1.0).mul(-1e30)); }

    /** A kernel-size-1 Conv1d: a Linear over features whose weight is stored (out, in, 1). Parameters conv1d.*. */
    static final class PointwiseConv extends Module {
        private final Tensor weight;
        private final Tensor bias;

        PointwiseConv(int in, int out, Generator gen, DType dtype) {
            weight = parameter("weight", Init.fanInUniform(gen, dtype, in, out, in, 1));
            bias = parameter("bias", Init.fanInUniform(gen, dtype, in, out));
        }

        /** (B, L, in) → (B, L, out); recorded as torch's Conv1d sees it, channels first (B, out, L). */
        Tensor forward(Tensor x) {
            Tensor y = trdetr.ops.LinearAlgebra.linear(x, weight.squeeze(2), bias);
            emit(y.transpose(1, 2));
            return y;
        }
    }

    /** The official Conv1D wrapper: a module holding one Conv1d named conv1d. */
    static final class Conv1D extends Module {
        private final PointwiseConv conv;

        Conv1D(int in, int out, Generator gen, DType dtype) { conv = child("conv1d", new PointwiseConv(in, out, gen, dtype)); }

        Tensor forward(Tensor x) { return emit(conv.forward(x)); }
    }

    /** Trilinear context-query attention. */
    static final class CqAttention extends Module {
        private final Tensor w4C, w4Q, w4mlu;
        private final Dropout dropout;
        private final Conv1D cqaLinear;

        CqAttention(int dim, double p, Generator gen, DType dtype) {
            w4C = parameter("w4C", Init.xavierUniform(gen, dtype, dim, 1));
            w4Q = parameter("w4Q", Init.xavierUniform(gen, dtype, dim, 1));
            w4mlu = parameter("w4mlu", Init.xavierUniform(gen, dtype, 1, 1, dim));
            dropout = child("dropout", new Dropout(p, gen));
            cqaLinear = child("cqa_linear", new Conv1D(4 * dim, dim, gen, dtype));
        }

        Tensor forward(Tensor context, Tensor query, Tensor cMask, Tensor qMask) {
            int lv = context.size(1), lt = query.size(1);
            // The trilinear score reads dropped-out copies; the rest of the block uses the originals.
            Tensor c = dropout.forward(context), q = dropout.forward(query);
            Tensor s0 = c.matmul(w4C).expand(c.size(0), lv, lt);
            Tensor s1 = q.matmul(w4Q).transpose(1, 2).expand(c.size(0), lv, lt);
            Tensor s2 = c.mul(w4mlu).matmul(q, false, true);
            Tensor score = s0.add(s1).add(s2);                                           // (B, Lv, Lt)
            Tensor toText = maskLogits(score, qMask.unsqueeze(1)).softmax(2);
            Tensor toVideo = maskLogits(score, cMask.unsqueeze(2)).softmax(1).transpose(1, 2);
            Tensor c2q = toText.matmul(query);
            Tensor q2c = toText.matmul(toVideo).matmul(context);
            Tensor g = Tensor.cat(List.of(context, c2q, context.mul(c2q), context.mul(q2c)), 2);
            return emit(cqaLinear.forward(g));
        }
    }

    /** Attention-pooled text concatenated to every clip, then a pointwise conv. */
    static final class CqConcatenate extends Module {
        private final WeightedPool weightedPool;
        private final Conv1D conv1d;

        CqConcatenate(int dim, Generator gen, DType dtype) {
            weightedPool = child("weighted_pool", new WeightedPool(dim, gen, dtype));
            conv1d = child("conv1d", new Conv1D(2 * dim, dim, gen, dtype));
        }

        Tensor forward(Tensor context, Tensor query, Tensor qMask) {
            Tensor pooled = weightedPool.forward(query, qMask);                           // (B, d)
            Tensor tiled = pooled.unsqueeze(1).expand(context.size(0), context.size(1), pooled.size(1));
            return emit(conv1d.forward(Tensor.cat(List.of(context, tiled), 2)));
        }
    }

    static final class WeightedPool extends Module {
        private final Tensor weight;

        WeightedPool(int dim, Generator gen, DType dtype) { weight = parameter("weight", Init.xavierUniform(gen, dtype, dim, 1)); }

        Tensor forward(Tensor x, Tensor mask) {
            Tensor alpha = maskLogits(x.matmul(weight), mask.unsqueeze(2)).softmax(1);    // (B, Lt, 1)
            return emit(x.matmul(alpha, true, false).squeeze(2));
        }
    }
}
