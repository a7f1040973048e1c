package trdetr.model;

import java.util.List;
import trdetr.nn.InPlace;
import trdetr.nn.Dropout;
import trdetr.nn.LayerNorm;
import trdetr.nn.Linear;
import trdetr.nn.Module;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * DAB-DETR decoder layer (spec §2.8): self-attention over the queries with content and position projections, then
 * cross-attention whose per-head query is [content 32 | sine position 32] (embed 512, scale 1/8). Only the first
 * layer adds positional terms to the content query and key; later layers have no ca_qpos_proj at all.
 */
public final class DecoderLayer extends Module {
    private final Linear saQcontent, saQpos, saKcontent, saKpos, saV;
    private final DabAttention selfAttn;
    private final LayerNorm norm1, norm2, norm3;
    private final Dropout dropout1, dropout2, dropout3;
    private final Linear caQcontent, caQpos, caKcontent, caKpos, caV, caQposSine;
    private final DabAttention crossAttn;
    private final FeedForward ffn;
    private final int heads;

    public DecoderLayer(int d, int heads, int ff, double p, boolean first, Generator gen, DType dtype) {
        this.heads = heads;
        saQcontent = child("sa_qcontent_proj", new Linear(d, d, true, gen, dtype));
        saQpos = child("sa_qpos_proj", new Linear(d, d, true, gen, dtype));
        saKcontent = child("sa_kcontent_proj", new Linear(d, d, true, gen, dtype));
        saKpos = child("sa_kpos_proj", new Linear(d, d, true, gen, dtype));
        saV = child("sa_v_proj", new Linear(d, d, true, gen, dtype));
        selfAttn = child("self_attn", new DabAttention(d, heads, d, p, gen, dtype));
        norm1 = child("norm1", new LayerNorm(d, 1e-5, dtype));
        dropout1 = child("dropout1", new Dropout(p, gen));
        caQcontent = child("ca_qcontent_proj", new Linear(d, d, true, gen, dtype));
        caQpos = first ? child("ca_qpos_proj", new Linear(d, d, true, gen, dtype)) : null;
        caKcontent = child("ca_kcontent_proj", new Linear(d, d, true, gen, dtype));
        caKpos = child("ca_kpos_proj", new Linear(d, d, true, gen, dtype));
        caV = child("ca_v_proj", new Linear(d, d, true, gen, dtype));
        caQposSine = child("ca_qpos_sine_proj", new Linear(d, d, true, gen, dtype));
        crossAttn = child("cross_attn", new DabAttention(2 * d, heads, d, p, gen, dtype));
        // linear1, dropout, linear2, norm2, norm3, dropout2, dropout3, activation
        FeedForward.Tail tail = FeedForward.registerTail(this::child, 2, d, ff, p, gen, dtype);
        ffn = tail.ffn();
        norm2 = tail.penultimateNorm();
        norm3 = tail.lastNorm();
        dropout2 = tail.penultimateDropout();
        dropout3 = tail.lastDropout();
    }

    /**
     * @param tgt        (Q, B, d) the previous layer's un-normalised output (zeros for the first layer)
     * @param memory     (Lv, B, d); @param memoryPad (B, Lv) BOOL; @param pos (Lv, B, d) video sine encoding
     * @param queryPos   (Q, B, d) ref_point_head of the anchor's sine embedding
     * @param querySine  (Q, B, d) the modulated sine embedding
     */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor memoryPad, Tensor pos, Tensor queryPos, Tensor querySine) {
        // self-attention
        Tensor q = saQcontent.forward(tgt).add(saQpos.forward(queryPos));
        Tensor k = saKcontent.forward(tgt).add(saKpos.forward(queryPos));
        Tensor a = selfAttn.forward(q, k, saV.forward(tgt), null);
        tgt = norm1.forwardInPlace(InPlace.add(tgt, dropout1.forward(a)));

        // cross-attention
        Tensor qc = caQcontent.forward(tgt);
        Tensor kc = caKcontent.forward(memory);
        Tensor v = caV.forward(memory);
        Tensor kp = caKpos.forward(pos);
        if (caQpos != null) {
            qc = qc.add(caQpos.forward(queryPos));
            kc = kc.add(kp);
        }
        Tensor qs = caQposSine.forward(querySine);
        Tensor qCat = interleaveHeads(qc, qs);
        Tensor kCat = interleaveHeads(kc, kp);
        Tensor c = crossAttn.forward(qCat, kCat, v, memoryPad);
        tgt = norm2.forwardInPlace(InPlace.add(tgt, dropout2.forward(c)));

        // feed-forward
        return emit(norm3.forwardInPlace(InPlace.add(tgt, dropout3.forward(ffn.forward(tgt)))));
    }

    /** (L, B, d) and (L, B, d) → (L, B, 2d) with each head's slice of a followed by the same head's slice of b. */
    private Tensor interleaveHeads(Tensor a, Tensor b) {
        int l = a.size(0), bs = a.size(1), d = a.size(2);
        Tensor a4 = a.reshape(l, bs, heads, d / heads), b4 = b.reshape(l, bs, heads, d / heads);
        return Tensor.cat(List.of(a4, b4), 3).reshape(l, bs, 2 * d);
    }
}
