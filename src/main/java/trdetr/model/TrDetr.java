package trdetr.model;

import java.util.ArrayList;
import java.util.List;
import trdetr.nn.Embedding;
import trdetr.nn.Linear;
import trdetr.nn.Module;
import trdetr.nn.Sequential;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * TR-DETR (spec §2): input projections, VSLFuser, the transformer (T2V, encoder, HD2MR, DAB decoder), the heads,
 * and MR2HD, which turns the best predicted moment into the output saliency. Parameter names and order are those of
 * the official state_dict (spec §3.1).
 */
public final class TrDetr extends Module {
    private final TrDetrConfig config;
    private final Transformer transformer;
    private final SinePositionEmbedding positionEmbed;
    private final TrainablePositionalEncoding txtPositionEmbed;
    private final Mlp spanEmbed;
    private final Linear classEmbed;
    private final Embedding queryEmbed;
    private final Sequential inputTxtProj;
    private final Sequential inputVidProj;
    private final Linear saliencyProj1;
    private final VslFuser fuser;
    private final GruFeatureExtractor gruExtractor;
    /** MR2HD's query per sample when imposed (verification only), else null: the argmax decides. */
    private long[] imposedQueries;
    /** The queries MR2HD's own argmax picked in the last forward. */
    private long[] lastArgmaxQueries;

    /** A model initialised as the official code does (values drawn from our generator), which also drives dropout. */
    public TrDetr(TrDetrConfig c, Generator gen, DType dtype) {
        this.config = c;
        int d = c.hiddenDim();
        transformer = child("transformer", new Transformer(c, gen, dtype));
        positionEmbed = child("position_embed", new SinePositionEmbedding(d));
        txtPositionEmbed = child("txt_position_embed", new TrainablePositionalEncoding(c.maxQL(), d, c.inputDropout(), gen, dtype));
        spanEmbed = child("span_embed", new Mlp(d, d, 2, 3, gen, dtype));
        classEmbed = child("class_embed", new Linear(d, 2, true, gen, dtype));
        queryEmbed = child("query_embed", new Embedding(c.numQueries(), 2, gen, dtype));
        inputTxtProj = child("input_txt_proj", inputProjection(c.tFeatDim(), c, gen, dtype));
        inputVidProj = child("input_vid_proj", inputProjection(c.vFeatDim() + c.aFeatDim(), c, gen, dtype));
        saliencyProj1 = child("saliency_proj1", new Linear(d, d, true, gen, dtype));
        fuser = child("fuser", new VslFuser(d, 0.1, gen, dtype));
        gruExtractor = child("gru_extractor", new GruFeatureExtractor(d, d, gen, dtype));
    }

    /** n_input_proj LinearLayers; every one has a ReLU except layer n−1 (official relu_args). */
    private static Sequential inputProjection(int in, TrDetrConfig c, Generator gen, DType dtype) {
        List<LinearLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.nInputProj(); i++) {
            layers.add(new LinearLayer(i == 0 ? in : c.hiddenDim(), c.hiddenDim(), c.inputDropout(), i != c.nInputProj() - 1, gen, dtype));
        }
        return new Sequential(layers);
    }

    public TrDetrConfig config() { return config; }

    /**
     * @param txt (B, Lt, Dt), txtMask (B, Lt) valid mask (1 = token), vid (B, Lv, Dv), vidMask (B, Lv) valid mask,
     *            aud (B, Lv, Da) or null
     */
    public TrDetrOutput forward(Tensor txt, Tensor txtMask, Tensor vid, Tensor vidMask, Tensor aud) {
        if (txt.size(1) == 0) throw new IllegalArgumentException("forward: the text query is empty (Lt = 0)");
        if (aud != null) vid = Tensor.cat(List.of(vid, aud), 2);
        if (vid.size(2) != config.vFeatDim() + config.aFeatDim()) {
            throw new IllegalArgumentException("forward: video features have " + vid.size(2) + " columns but the model expects "
                    + (config.vFeatDim() + config.aFeatDim()) + " (v_feat_dim incl. TEF" + (config.aFeatDim() > 0 ? " + audio" : "") + ")");
        }
        Tensor v0 = inputVidProj.forward(vid);
        Tensor t0 = inputTxtProj.forward(txt);
        Tensor vidCls = v0.mean(1, false), txtCls = t0.mean(1, false);

        Tensor fused = fuser.forward(v0, t0, vidMask, txtMask);
        Tensor src = Tensor.cat(List.of(fused, t0), 1);
        Tensor padMask = Tensor.cat(List.of(vidMask, txtMask), 1).eq(0.0);
        Tensor posVid = positionEmbed.forward(vidMask);
        Tensor posTxt = config.useTxtPos() ? txtPositionEmbed.forward(t0) : Tensor.zerosLike(t0);
        Tensor pos = Tensor.cat(List.of(posVid, posTxt), 1);
        int lv = fused.size(1);

        Transformer.Output tr = transformer.forward(src, padMask, queryEmbed.weight, pos, saliencyProj1, lv);
        Tensor logits = classEmbed.forward(tr.hs());                                          // (layers, B, Q, 2)
        Tensor coords = spanEmbed.forward(tr.hs()).add(InverseSigmoid.apply(tr.references())).sigmoid();
        int last = logits.size(0) - 1;
        Tensor predLogits = logits.select(0, last), predSpans = coords.select(0, last);
        Tensor saliency = mr2hd(predLogits, predSpans, tr.memory(), v0);
        List<TrDetrOutput.Head> aux = new ArrayList<>();
        if (config.auxLoss()) for (int i = 0; i < last; i++) aux.add(new TrDetrOutput.Head(logits.select(0, i), coords.select(0, i)));
        return new TrDetrOutput(predLogits, predSpans, saliency, aux, vidMask, v0, t0, vidCls, txtCls, tr.memory());
    }

    /**
     * MR2HD (spec §2.10): the most confident query's span, converted to clip indices with the padded length Lv and
     * float32 arithmetic as the official code, selects rows of V0 (Python slice semantics, so negative starts wrap);
     * a GRU summarises them; its dot product with every clip re-weights the memory; saliency_proj1 scores it.
     */
    /**
     * Imposes MR2HD's query choice (one per sample; null restores the argmax). For verification only: the choice is an
     * argmax of foreground probabilities that, for a degenerate sample (one valid clip, say), agree to 1e-8, so two
     * correct implementations rounding differently may pick different queries and everything downstream differs. A
     * verifier imposes the reference's choice, compares what follows, and checks the decision separately
     * ({@link #lastArgmaxQueries}).
     */
    public void imposeMr2hdQueries(long[] queries) { imposedQueries = queries == null ? null : queries.clone(); }

    /** The queries MR2HD's argmax picked in the last forward (whether or not a choice was imposed). */
    public long[] lastArgmaxQueries() { return lastArgmaxQueries == null ? null : lastArgmaxQueries.clone(); }

    private Tensor mr2hd(Tensor predLogits, Tensor predSpans, Tensor memory, Tensor v0) {
        int b = memory.size(0), lv = memory.size(1), d = memory.size(2);
        long[] best = predLogits.detach().softmax(-1).select(2, 0).argmax(1, false).toLongArray();
        lastArgmaxQueries = best.clone();
        if (imposedQueries != null) {
            if (imposedQueries.length != b) throw new IllegalArgumentException("imposed MR2HD queries: " + imposedQueries.length + " for a batch of " + b);
            best = imposedQueries.clone();
        }
        double[] spans = predSpans.detach().toDoubleArray();
        boolean float64 = predSpans.dtype() == DType.FLOAT64;
        int clip = config.clipLength();
        // Row j of sample i's window is V0[i, start + j] for j < its length, then zeros: one gather for the batch.
        long[] rows = new long[b * lv];
        float[] keep = new float[b * lv];
        for (int i = 0; i < b; i++) {
            int at = (int) ((i * (long) predSpans.size(1) + best[i]) * 2);
            int start = spanEndClip(spans[at], -spans[at + 1], lv * clip, clip, float64);
            int end = spanEndClip(spans[at], spans[at + 1], lv * clip, clip, float64);
            if (config.has(Fix.MR2HD_SLICE)) start = Math.max(start, 0);
            int[] window = trdetr.ops.Views.pythonSliceBounds(start, end + 1, lv);
            for (int j = 0; j < window[1] - window[0]; j++) {
                rows[i * lv + j] = window[0] + j;
                keep[i * lv + j] = 1;
            }
        }
        Tensor index = Tensor.ofLongs(rows, b, lv, 1).expand(b, lv, d);
        Tensor mask = Tensor.of(keep, b, lv, 1).to(v0.dtype());
        Tensor sliced = v0.gather(1, index).mul(mask);
        Tensor g = gruExtractor.forward(sliced);                                            // (B, d)
        Tensor weight = g.unsqueeze(1).matmul(v0, false, true).squeeze(1);                 // (B, Lv)
        Tensor m = memory.mul(weight.unsqueeze(-1)).add(memory);
        return saliencyProj1.forward(m).sum(-1, false).div(Math.sqrt(config.hiddenDim()));
    }

    /**
     * floor((c ± w/2) · (Lv·clip) / clip) in the model's precision, rounding after every operation as the official
     * tensor arithmetic does (float32 for a float32 model), so that the same floor is taken on both sides.
     */
    private static int spanEndClip(double center, double signedWidth, int seconds, int clip, boolean float64) {
        if (float64) return (int) Math.floor((center + 0.5 * signedWidth) * seconds / clip);
        float c = (float) center, w = (float) signedWidth;
        return (int) Math.floor((c + 0.5f * w) * (float) seconds / (float) clip);
    }
}
