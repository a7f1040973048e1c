package trdetr.model;

import java.nio.file.Path;
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

    /** Largest feature width read from a configuration: far above any real one (2818), small enough to allocate. */
    public static final int MAX_FEATURE_DIM = 1 << 20;

    /** From official option names (command-line values, or test maps): {@link #fromOptions(Map, Path)} without a file. */
    public static TrDetrConfig fromOptions(Map<String, Object> o) { return fromOptions(o, null); }

    /**
     * From official option names (a parsed opt.json, a reference file's meta.config, our checkpoint's model_options),
     * every value checked for type and range before anything is built from it; absent options take the released
     * run's values. {@code v_feat_dim} is taken as the model's in-features; use {@link #fromOfficialOpt} for an
     * opt.json that stores it without TEF.
     *
     * @param source the file the options came from, named in the one-line {@link trdetr.io.FormatException} that
     *               refuses a value (null for command-line options)
     */
    public static TrDetrConfig fromOptions(Map<String, Object> o, Path source) {
        OptionReader r = reader(o, source);
        TrDetrConfig d = released();
        // The ranges are what the model needs (spec §1.1): the decoder's sine embedding hard-codes hidden_dim 256;
        // attention splits it into nheads equal heads; every stack has a first layer (and the loss reads the decoder's
        // last); n_input_proj is 1 to 3 layers as in the official code. Upper bounds keep one option from allocating
        // the heap away (a query or position table, a feature projection) far beyond any real configuration.
        int hiddenDim = r.integer("hidden_dim", d.hiddenDim, 1, 65536);
        if (hiddenDim != 256) throw r.invalid("hidden_dim", "it must be 256 (the decoder's sine embedding hard-codes 128 per coordinate)");
        int nheads = r.integer("nheads", d.nheads, 1, hiddenDim);
        if (hiddenDim % nheads != 0) throw r.invalid("nheads", "hidden_dim " + hiddenDim + " must be divisible by it");
        // a_feat_dim null is how the official opt says "no audio".
        int aFeatDim = o.get("a_feat_dim") == null ? 0 : r.integer("a_feat_dim", 0, MAX_FEATURE_DIM);
        int vFeatDim = r.integer("v_feat_dim", d.vFeatDim, 0, MAX_FEATURE_DIM);
        if (vFeatDim + aFeatDim == 0) throw r.invalid("v_feat_dim", "the video projection needs at least one input column (no audio either)");
        return new TrDetrConfig(hiddenDim, nheads, r.integer("enc_layers", d.encLayers, 1, 64), r.integer("dec_layers", d.decLayers, 1, 64),
                r.integer("dim_feedforward", d.dimFeedforward, 1, 65536), r.integer("num_queries", d.numQueries, 1, 10000),
                vFeatDim, r.integer("t_feat_dim", d.tFeatDim, 1, MAX_FEATURE_DIM), aFeatDim,
                // clip_length divides in MR2HD's span-to-clip step; train refuses anything but whole seconds >= 1.
                r.integer("n_input_proj", d.nInputProj, 1, 3), r.integer("clip_length", d.clipLength, 1, 3600),
                // max_v_l -1 (or 0) keeps every clip (Lighthouse); max_q_l sizes the text position table.
                r.integer("max_v_l", d.maxVL, -1, MAX_FEATURE_DIM), r.integer("max_q_l", d.maxQL, 1, 65536),
                r.real("dropout", d.dropout, 0, 1), r.real("input_dropout", d.inputDropout, 0, 1),
                r.bool("aux_loss", d.auxLoss), r.bool("use_txt_pos", d.useTxtPos),
                weight(r, "set_cost_span", d.setCostSpan), weight(r, "set_cost_giou", d.setCostGiou), weight(r, "set_cost_class", d.setCostClass),
                weight(r, "span_loss_coef", d.spanLossCoef), weight(r, "giou_loss_coef", d.giouLossCoef), weight(r, "label_loss_coef", d.labelLossCoef),
                weight(r, "lw_saliency", d.lwSaliency), weight(r, "saliency_margin", d.saliencyMargin),
                weight(r, "VTC_loss_coef", d.vtcLossCoef), weight(r, "CTC_loss_coef", d.ctcLossCoef), fixes(r, o.get("fixes")));
    }

    /** The reader of model options from {@code source}: its refusals read "FILE: model option 'KEY' is ...". */
    public static OptionReader reader(Map<String, ?> options, Path source) {
        if (options == null) throw new trdetr.io.FormatException(source, "no model options");
        return new OptionReader(source, "model option", options);
    }

    /** A loss weight, cost or margin: finite and not negative. */
    private static double weight(OptionReader r, String key, double dflt) { return r.real(key, dflt, 0, Double.MAX_VALUE); }

    /** From an official opt.json / checkpoint `opt`: v_feat_dim there excludes the 2 TEF columns when ctx_mode has "tef" (spec §1.3). */
    public static TrDetrConfig fromOfficialOpt(Map<String, Object> opt, Path source) {
        Map<String, Object> o = new java.util.HashMap<>(opt);
        String ctx = String.valueOf(o.getOrDefault("ctx_mode", "video_tef"));
        int v = ctx.contains("video") ? reader(o, source).integer("v_feat_dim", 0, 0, MAX_FEATURE_DIM - 2) : 0;
        if (ctx.contains("tef")) v += 2;
        o.put("v_feat_dim", v);
        if (o.get("a_feat_dir") == null) o.put("a_feat_dim", 0);
        return fromOptions(o, source);
    }

    public static TrDetrConfig fromOfficialOpt(Map<String, Object> opt) { return fromOfficialOpt(opt, null); }

    /**
     * From a checkpoint: options from its {@code opt}, input widths from the weights. (The official checkpoint's opt
     * holds v_feat_dim after the +2 TEF of spec §1.3 — parse() adds it after writing opt.json — while opt.json holds
     * it before; the weight shapes settle it either way.)
     *
     * @param source the checkpoint file, named when an option is refused
     */
    public static TrDetrConfig fromCheckpoint(Map<String, Object> opt, Map<String, trdetr.tensor.Tensor> stateDict, Path source) {
        Map<String, Object> o = new java.util.HashMap<>(opt == null ? Map.of() : opt);
        trdetr.tensor.Tensor vid = stateDict.get("input_vid_proj.0.LayerNorm.weight"), txt = stateDict.get("input_txt_proj.0.LayerNorm.weight");
        if (vid == null || txt == null) throw new IllegalArgumentException("checkpoint has no input_vid_proj.0 / input_txt_proj.0 weights: not a TR-DETR state_dict");
        int audio = o.get("a_feat_dir") != null && o.get("a_feat_dim") != null ? reader(o, source).integer("a_feat_dim", 0, vid.size(0)) : 0;
        o.put("a_feat_dim", audio);
        o.put("v_feat_dim", vid.size(0) - audio);
        o.put("t_feat_dim", txt.size(0));
        int proj = 0;
        while (stateDict.containsKey("input_vid_proj." + proj + ".LayerNorm.weight")) proj++;
        o.put("n_input_proj", proj);
        return fromOptions(o, source);
    }

    public static TrDetrConfig fromCheckpoint(Map<String, Object> opt, Map<String, trdetr.tensor.Tensor> stateDict) {
        return fromCheckpoint(opt, stateDict, null);
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

    /** The fixes option: a list of names or one comma-separated string (the command line's form); null is none. */
    private static java.util.Set<Fix> fixes(OptionReader r, Object v) {
        if (v == null) return java.util.Set.of();
        java.util.List<?> names = v instanceof java.util.Collection<?> c ? new java.util.ArrayList<>(c)
                : v instanceof String s ? java.util.Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isBlank()).toList() : null;
        if (names == null) throw r.invalid("fixes", "it must be a list of fix names");
        java.util.Set<Fix> out = java.util.EnumSet.noneOf(Fix.class);
        for (Object x : names) {
            try {
                out.add(Fix.parse(String.valueOf(x)));
            } catch (IllegalArgumentException unknown) {
                throw r.invalid("fixes", unknown.getMessage());
            }
        }
        return out;
    }
}
