package trdetr.model;

import java.util.ArrayList;
import java.util.List;
import trdetr.nn.LayerNorm;
import trdetr.nn.Module;
import trdetr.nn.ModuleList;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * The DAB-DETR decoder (spec §2.8): anchors (center, width) refined layer by layer. Returns the normalised outputs of
 * every layer and the anchors each layer started from.
 */
public final class Decoder extends Module {
    private final ModuleList<DecoderLayer> layers;
    private final LayerNorm norm;
    private final Mlp queryScale;
    private final Mlp refPointHead;
    private final Mlp bboxEmbed;
    private final Mlp refAnchorHead;

    public Decoder(TrDetrConfig c, Generator gen, DType dtype) {
        int d = c.hiddenDim();
        List<DecoderLayer> ls = new ArrayList<>();
        for (int i = 0; i < c.decLayers(); i++) ls.add(new DecoderLayer(d, c.nheads(), c.dimFeedforward(), c.dropout(), i == 0, gen, dtype));
        layers = child("layers", new ModuleList<>(ls));
        norm = child("norm", new LayerNorm(d, 1e-5, dtype));
        queryScale = child("query_scale", new Mlp(d, d, d, 2, gen, dtype));
        refPointHead = child("ref_point_head", new Mlp(d, d, d, 2, gen, dtype));
        bboxEmbed = child("bbox_embed", new Mlp(d, d, 2, 3, gen, dtype));
        refAnchorHead = child("ref_anchor_head", new Mlp(d, d, 1, 2, gen, dtype));
    }

    Mlp bboxEmbed() { return bboxEmbed; }

    /**
     * @param memory (Lv, B, d), memoryPad (B, Lv) BOOL, pos (Lv, B, d), anchorLogits (Q, B, 2)
     * @return {hs (layers, B, Q, d), references (layers, B, Q, 2)}
     */
    public Tensor[] forward(Tensor memory, Tensor memoryPad, Tensor pos, Tensor anchorLogits) {
        int q = anchorLogits.size(0), b = anchorLogits.size(1), d = memory.size(2);
        Tensor out = Tensor.zeros(memory.backend(), memory.dtype(), q, b, d);
        Tensor ref = anchorLogits.sigmoid();
        List<Tensor> refs = new ArrayList<>(List.of(ref));
        List<Tensor> hs = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            Tensor sine = PositionEncodings.anchors(ref);
            Tensor queryPos = refPointHead.forward(sine);
            if (l > 0) sine = sine.mul(queryScale.forward(out));
            Tensor r = refAnchorHead.forward(out).sigmoid();                     // (Q, B, 1)
            sine = sine.mul(r.div(ref.slice(2, 1, 2)));                         // every feature × r / width
            out = layers.get(l).forward(out, memory, memoryPad, pos, queryPos, sine);
            Tensor refined = bboxEmbed.forward(out).add(InverseSigmoid.apply(ref)).sigmoid();
            if (l != layers.size() - 1) refs.add(refined);
            ref = refined.detach();
            hs.add(norm.forward(out));
        }
        hs.set(hs.size() - 1, norm.forward(out)); // the official code normalises the last output once more (same value)
        Tensor[] result = {Tensor.stack(hs, 0).transpose(1, 2), Tensor.stack(refs, 0).transpose(1, 2)};
        return emit(result);
    }
}
