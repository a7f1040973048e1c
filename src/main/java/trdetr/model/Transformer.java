package trdetr.model;

import java.util.ArrayList;
import java.util.List;
import trdetr.nn.Init;
import trdetr.nn.Linear;
import trdetr.nn.Module;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * TR-DETR's transformer (spec §2.5–2.8): text-to-video encoder, the encoder, HD2MR (saliency-weighted memory run
 * through the same encoder again), then the DAB decoder.
 */
public final class Transformer extends Module {
    private final EncoderStack<T2vEncoderLayer> t2vEncoder;
    private final EncoderStack<EncoderLayer> encoder;
    private final Decoder decoder;
    private final TrDetrConfig config;

    public Transformer(TrDetrConfig c, Generator gen, DType dtype) {
        this.config = c;
        int d = c.hiddenDim();
        List<T2vEncoderLayer> t2v = new ArrayList<>();
        List<EncoderLayer> enc = new ArrayList<>();
        for (int i = 0; i < c.encLayers(); i++) {
            t2v.add(new T2vEncoderLayer(d, c.nheads(), c.dimFeedforward(), c.dropout(), gen, dtype));
            enc.add(new EncoderLayer(d, c.nheads(), c.dimFeedforward(), c.dropout(), gen, dtype));
        }
        t2vEncoder = child("t2v_encoder", new EncoderStack<>(t2v));
        encoder = child("encoder", new EncoderStack<>(enc));
        decoder = child("decoder", new Decoder(c, gen, dtype));
        // Transformer._reset_parameters: xavier-uniform on every parameter with 2+ dims (this also overwrites the zero
        // init of bbox_embed's last weight; only its bias stays zero).
        Init.fill(decoder.bboxEmbed().layer(2).bias, 0.0);
        for (Tensor p : parameters()) if (p.rank() > 1) Init.copy(p, Init.xavierUniform(gen, dtype, p.shape()));
    }

    /** The transformer's outputs: hs (layers, B, Q, d), references (layers, B, Q, 2), memory (B, Lv, d). */
    public record Output(Tensor hs, Tensor references, Tensor memory) {}

    /**
     * @param src        (B, Lv+Lt, d) fused video then text
     * @param padMask    (B, Lv+Lt) BOOL, true = padding
     * @param anchors    (Q, 2) query_embed.weight (anchor logits)
     * @param pos        (B, Lv+Lt, d)
     */
    public Output forward(Tensor src, Tensor padMask, Tensor anchors, Tensor pos, Linear saliencyProj1, int videoLength) {
        int b = src.size(0);
        Tensor s = src.transpose(0, 1);
        Tensor p = pos.transpose(0, 1);
        Tensor anchorLogits = anchors.unsqueeze(1).expand(anchors.size(0), b, anchors.size(1));
        Tensor t2vMask = t2vAttentionMask(padMask, videoLength);
        Tensor t2v = t2vEncoder.forward(s, (layer, x) -> layer.forward(x, padMask, p, videoLength, t2vMask));
        Tensor video = t2v.slice(0, 0, videoLength);
        Tensor videoPad = padMask.slice(1, 0, videoLength);
        Tensor videoPos = p.slice(0, 0, videoLength);
        Tensor memory = encoder.forward(video, (layer, x) -> layer.forward(x, videoPad, videoPos));

        // HD2MR: weight the T2V output by a softmax over all clips (padding included) of the saliency, add, re-encode.
        Tensor s1 = saliencyProj1.forward(memory.transpose(0, 1)).sum(-1, false).div(Math.sqrt(config.hiddenDim()));
        Tensor w = s1.softmax(-1);                                                  // (B, Lv)
        Tensor weighted = memory.add(video.mul(w.transpose(0, 1).unsqueeze(-1)));
        Tensor memory2 = encoder.forward(weighted, (layer, x) -> layer.forward(x, videoPad, videoPos));

        Tensor[] dec = decoder.forward(memory2, videoPad, videoPos, anchorLogits);
        Tensor mem = memory2.transpose(0, 1);
        emit(new Tensor[] {dec[0], dec[1], mem, s1});
        return new Output(dec[0], dec[1], mem);
    }

    /**
     * The T2V layers' extra mask: clip i of sample s and token j of sample s both padding, tiled with repeat(h, 1, 1)
     * to (B·h, Lv, Lt). PyTorch reads entry n = b·h + η as sample b, head η, but the tiling put sample n mod B there,
     * so sample b, head η is masked with the pattern of sample (b·h + η) mod B (spec §8 Q1). With
     * {@link Fix#T2V_MASK} the entry is sample b's own pattern.
     */
    Tensor t2vAttentionMask(Tensor padMask, int videoLength) {
        int b = padMask.size(0), h = config.nheads();
        Tensor videoPad = padMask.slice(1, 0, videoLength).unsqueeze(2);
        Tensor textPad = padMask.slice(1, videoLength, padMask.size(1)).unsqueeze(1);
        Tensor both = videoPad.and(textPad);                                        // (B, Lv, Lt)
        long[] source = new long[b * h];
        for (int n = 0; n < b * h; n++) source[n] = config.has(Fix.T2V_MASK) ? n / h : n % b;
        return both.indexSelect(0, Tensor.ofLongs(source, b * h));
    }
}
