package trdetr.nn;

import trdetr.ops.LinearAlgebra;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * torch.nn.MultiheadAttention (sequence-first, kdim = vdim = embed_dim): one packed in_proj_weight (3E, E) holding
 * W_q, W_k, W_v by rows, in_proj_bias (3E), out_proj. Initialised like torch: xavier in_proj, zero biases.
 */
public final class MultiheadAttention extends Module {
    public final Tensor inProjWeight;
    public final Tensor inProjBias;
    public final Linear outProj;
    private final int heads;
    private final int embed;
    private final double dropout;
    private final Generator gen;

    public MultiheadAttention(int embed, int heads, double dropout, Generator gen, DType dtype) {
        this.embed = embed;
        this.heads = heads;
        this.dropout = dropout;
        this.gen = gen;
        this.inProjWeight = parameter("in_proj_weight", Init.xavierUniform(gen, dtype, 3 * embed, embed));
        this.inProjBias = parameter("in_proj_bias", Tensor.zeros(dtype, 3 * embed));
        this.outProj = child("out_proj", new Linear(embed, embed, true, gen, dtype));
        Init.fill(outProj.bias, 0.0);
    }

    /**
     * @param attnMask   (B·h, Lq, Lk) BOOL or null; @param keyPadding (B, Lk) BOOL (true = padding) or null
     * @return the output (Lq, B, E); while an ActivationRecorder listens, the head-averaged weights are recorded too
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPadding) {
        int e = embed;
        double scale = 1.0 / Math.sqrt((double) e / heads);
        Tensor q = InPlace.mul(LinearAlgebra.linear(query, inProjWeight.slice(0, 0, e), inProjBias.slice(0, 0, e)), scale);
        Tensor k = LinearAlgebra.linear(key, inProjWeight.slice(0, e, 2 * e), inProjBias.slice(0, e, 2 * e));
        Tensor v = LinearAlgebra.linear(value, inProjWeight.slice(0, 2 * e, 3 * e), inProjBias.slice(0, 2 * e, 3 * e));
        ScaledDotProductAttention.Result a = ScaledDotProductAttention.apply(q, k, v, heads, attnMask, keyPadding, dropout, isTraining(), gen);
        Tensor out = outProj.forward(a.output());
        emit(new Tensor[] {out, ActivationRecorder.isActive() ? a.averagedWeights() : null});
        return out;
    }
}
