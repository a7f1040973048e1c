package trdetr.model;

import java.util.Map;

/**
 * Architecture and loss options, named after the official options (kebab-case on the command line,
 * snake_case in {@code opt.json}). Defaults are those of the released QVHighlights run (spec §1.1).
 *
 * @param vFeatDim the video projection's in-features as the model sees them: raw features + 2 TEF columns (+ audio)
 * @param fixes corrections of official bugs ({@link Fix}); empty by default, to match the official code
 */
public record TrDetrConfig(
        int hiddenDim, int nheads, int encLayers, int decLayers, int dimFeedforward, int numQueries,
        int vFeatDim, int tFeatDim, int aFeatDim, int nInputProj, int clipLength, int maxVL, int maxQL,
        double dropout, double inputDropout, boolean auxLoss, boolean useTxtPos,
        double setCostSpan, double setCostGiou, double setCostClass,
        double spanLossCoef, double giouLossCoef, double labelLossCoef, double lwSaliency, double saliencyMargin,
        double vtcLossCoef, double ctcLossCoef, java.util.Set<Fix> fixes) {

    public TrDetrConfig {
        fixes = fixes.isEmpty() ? java.util.Set.of() : java.util.Set.copyOf(java.util.EnumSet.copyOf(fixes));
        if (hiddenDim != 256) throw new IllegalArgumentException("hidden_dim must be 256 (the decoder's sine embedding hard-codes 128 per coordinate), got " + hiddenDim);
        if (hiddenDim % nheads != 0) throw new IllegalArgumentException("hidden_dim " + hiddenDim + " is not divisible by nheads " + nheads);
        if (nInputProj < 1 || nInputProj > 3) throw new IllegalArgumentException("n_input_proj must be 1, 2 or 3, got " + nInputProj);
        if (encLayers < 1 || decLayers < 1) throw new IllegalArgumentException("enc_layers and dec_layers must be at least 1");
    }

    /** The released run: SlowFast+CLIP video (2816 + 2 TEF), CLIP text 512, VTC 0.3, CTC 0.5. */
    public static TrDetrConfig released() {
        return new TrDetrConfig(256, 8, 2, 2, 1024, 10, 2818, 512, 0, 2, 2, 75, 32, 0.1, 0.5, true, false,
                10, 1, 4, 10, 1, 4, 1.0, 0.2, 0.3, 0.5, java.util.Set.of());
    }

    /**
     * From official option names (a parsed opt.json or a reference file's meta.config). {@code v_feat_dim} is taken as
     * the model's in-features; use {@link #fromOfficialOpt} for an opt.json that stores it without TEF.
     */
    public static TrDetrConfig fromOptions(Map<String, Object> o) {
        TrDetrConfig d = released();
        return new TrDetrConfig(
                i(o, "hidden_dim", d.hiddenDim), i(o, "nheads", d.nheads), i(o, "enc_layers", d.encLayers),
                i(o, "dec_layers", d.decLayers), i(o, "dim_feedforward", d.dimFeedforward), i(o, "num_queries", d.numQueries),
                i(o, "v_feat_dim", d.vFeatDim), i(o, "t_feat_dim", d.tFeatDim), i(o, "a_feat_dim", 0),
                i(o, "n_input_proj", d.nInputProj), i(o, "clip_length", d.clipLength), i(o, "max_v_l", d.maxVL), i(o, "max_q_l", d.maxQL),
                f(o, "dropout", d.dropout), f(o, "input_dropout", d.inputDropout), b(o, "aux_loss", d.auxLoss), b(o, "use_txt_pos", d.useTxtPos),
                f(o, "set_cost_span", d.setCostSpan), f(o, "set_cost_giou", d.setCostGiou), f(o, "set_cost_class", d.setCostClass),
                f(o, "span_loss_coef", d.spanLossCoef), f(o, "giou_loss_coef", d.giouLossCoef), f(o, "label_loss_coef", d.labelLossCoef),
                f(o, "lw_saliency", d.lwSaliency), f(o, "saliency_margin", d.saliencyMargin),
                f(o, "VTC_loss_coef", d.vtcLossCoef), f(o, "CTC_loss_coef", d.ctcLossCoef), fixes(o.get("fixes")));
    }

    /** From an official opt.json / checkpoint `opt`: v_feat_dim there excludes the 2 TEF columns when ctx_mode has "tef" (§1.3). */
    public static TrDetrConfig fromOfficialOpt(Map<String, Object> opt) {
        Map<String, Object> o = new java.util.HashMap<>(opt);
        String ctx = String.valueOf(o.getOrDefault("ctx_mode", "video_tef"));
        int v = ctx.contains("video") ? i(o, "v_feat_dim", 0) : 0;
        if (ctx.contains("tef")) v += 2;
        o.put("v_feat_dim", v);
        if (o.get("a_feat_dir") == null) o.put("a_feat_dim", 0);
        return fromOptions(o);
    }

    /**
     * From a checkpoint: options from its {@code opt}, input widths from the weights. (The official checkpoint's opt
     * holds v_feat_dim after the +2 TEF of spec §1.3 — parse() adds it after writing opt.json — while opt.json holds
     * it before; the weight shapes settle it either way.)
     */
    public static TrDetrConfig fromCheckpoint(Map<String, Object> opt, Map<String, trdetr.tensor.Tensor> stateDict) {
        Map<String, Object> o = new java.util.HashMap<>(opt == null ? Map.of() : opt);
        trdetr.tensor.Tensor vid = stateDict.get("input_vid_proj.0.LayerNorm.weight"), txt = stateDict.get("input_txt_proj.0.LayerNorm.weight");
        if (vid == null || txt == null) throw new IllegalArgumentException("checkpoint has no input_vid_proj.0 / input_txt_proj.0 weights: not a TR-DETR state_dict");
        int audio = o.get("a_feat_dir") != null && o.get("a_feat_dim") instanceof Number a ? a.intValue() : 0;
        o.put("a_feat_dim", audio);
        o.put("v_feat_dim", vid.size(0) - audio);
        o.put("t_feat_dim", txt.size(0));
        int proj = 0;
        while (stateDict.containsKey("input_vid_proj." + proj + ".LayerNorm.weight")) proj++;
        o.put("n_input_proj", proj);
        return fromOptions(o);
    }

    /** The options under their official names (what {@link #fromOptions} reads back). */
    public Map<String, Object> toOptions() {
        Map<String, Object> o = new java.util.LinkedHashMap<>();
        o.put("hidden_dim", hiddenDim); o.put("nheads", nheads); o.put("enc_layers", encLayers); o.put("dec_layers", decLayers);
        o.put("dim_feedforward", dimFeedforward); o.put("num_queries", numQueries); o.put("v_feat_dim", vFeatDim);
        o.put("t_feat_dim", tFeatDim); o.put("a_feat_dim", aFeatDim); o.put("n_input_proj", nInputProj);
        o.put("clip_length", clipLength); o.put("max_v_l", maxVL); o.put("max_q_l", maxQL); o.put("dropout", dropout);
        o.put("input_dropout", inputDropout); o.put("aux_loss", auxLoss); o.put("use_txt_pos", useTxtPos);
        o.put("set_cost_span", setCostSpan); o.put("set_cost_giou", setCostGiou); o.put("set_cost_class", setCostClass);
        o.put("span_loss_coef", spanLossCoef); o.put("giou_loss_coef", giouLossCoef); o.put("label_loss_coef", labelLossCoef);
        o.put("lw_saliency", lwSaliency); o.put("saliency_margin", saliencyMargin);
        o.put("VTC_loss_coef", vtcLossCoef); o.put("CTC_loss_coef", ctcLossCoef);
        o.put("fixes", fixes.stream().map(Fix::option).sorted().toList());
        return o;
    }

    public int headDim() { return hiddenDim / nheads; }

    public boolean has(Fix fix) { return fixes.contains(fix); }

    /** A copy with other fixes. */
    public TrDetrConfig withFixes(java.util.Set<Fix> f) {
        return new TrDetrConfig(hiddenDim, nheads, encLayers, decLayers, dimFeedforward, numQueries, vFeatDim, tFeatDim, aFeatDim,
                nInputProj, clipLength, maxVL, maxQL, dropout, inputDropout, auxLoss, useTxtPos, setCostSpan, setCostGiou, setCostClass,
                spanLossCoef, giouLossCoef, labelLossCoef, lwSaliency, saliencyMargin, vtcLossCoef, ctcLossCoef, f);
    }

    private static java.util.Set<Fix> fixes(Object v) {
        if (v == null) return java.util.Set.of();
        java.util.Set<Fix> out = java.util.EnumSet.noneOf(Fix.class);
        if (v instanceof java.util.Collection<?> c) for (Object x : c) out.add(Fix.parse(String.valueOf(x)));
        else for (String x : String.valueOf(v).split(",")) if (!x.isBlank()) out.add(Fix.parse(x.trim()));
        return out;
    }

    private static Object get(Map<String, Object> o, String key) { return o.get(key); }

    private static int i(Map<String, Object> o, String key, int dflt) {
        Object v = get(o, key);
        if (v == null) return dflt;
        if (v instanceof Number n) return n.intValue();
        throw new IllegalArgumentException("option " + key + " must be a number, got " + v);
    }

    private static double f(Map<String, Object> o, String key, double dflt) {
        Object v = get(o, key);
        if (v == null) return dflt;
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("option " + key + " must be a number, got " + v);
    }

    private static boolean b(Map<String, Object> o, String key, boolean dflt) {
        Object v = get(o, key);
        if (v == null) return dflt;
        if (v instanceof Boolean x) return x;
        throw new IllegalArgumentException("option " + key + " must be true or false, got " + v);
    }
}
