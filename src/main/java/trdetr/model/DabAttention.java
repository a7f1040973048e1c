package trdetr.model;

import trdetr.nn.ActivationRecorder;
import trdetr.nn.Init;
import trdetr.nn.Linear;
import trdetr.nn.Module;
import trdetr.nn.ScaledDotProductAttention;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * DAB-DETR's attention (official tr_detr/attention.py): no input projections at all, only out_proj (vdim → vdim,
 * bias zero-initialised). The raw query is scaled by (embed/heads)^−½ — 1/8 for the decoder's 512-wide cross
 * attention, 1/√32 for its 256-wide self attention.
 */
public final class DabAttention extends Module {
    private final Linear outProj;
    private final int embed;
    private final int heads;
    private final double dropout;
    private final Generator gen;

    public DabAttention(int embed, int heads, int vdim, double dropout, Generator gen, DType dtype) {
        this.embed = embed;
        this.heads = heads;
        this.dropout = dropout;
        this.gen = gen;
        this.outProj = child("out_proj", new Linear(vdim, vdim, true, gen, dtype));
        Init.fill(outProj.bias, 0.0);
    }

    /** q (Lq, B, embed), k (Lk, B, embed), v (Lk, B, vdim); keyPadding (B, Lk) BOOL or null. */
    public Tensor forward(Tensor q, Tensor k, Tensor v, Tensor keyPadding) {
        double scale = Math.pow((double) embed / heads, -0.5);
        ScaledDotProductAttention.Result a = ScaledDotProductAttention.apply(q.mul(scale), k, v, heads, null, keyPadding, dropout, isTraining(), gen);
        Tensor out = outProj.forward(a.output());
        emit(new Tensor[] {out, ActivationRecorder.isActive() ? a.averagedWeights() : null});
        return out;
    }
}
