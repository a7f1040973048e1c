package trdetr.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.autograd.GradMode;
import trdetr.backend.Backend;
import trdetr.opcheck.GradCheck;
import trdetr.io.StateDicts;
import trdetr.loss.Targets;
import trdetr.loss.TrDetrCriterion;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.model.TrDetrOutput;
import trdetr.nn.ActivationRecorder;
import trdetr.ops.KinkDecisions;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * Runs our model on a reference batch and compares every activation, output, loss term and gradient with the official
 * ones by relative error ‖ours − ref‖/‖ref‖.
 *
 * <ul>
 *   <li>A float32 reference (the official code as trained) is compared with ours in float32: 1e-4 for activations,
 *       outputs and losses, 1e-3 for gradients. Both sides carry float32 rounding, so this bound is loose by nature.</li>
 *   <li>A float64 reference (the official code in float64 on the same float32-representable weights and inputs, the
 *       exact answer up to float64 rounding) is compared with ours in float64, everything to {@link #TOL_FLOAT64}.</li>
 *   <li>A "both" reference also holds the official float32 run: ours in float32 is then held to the float64 answer as
 *       closely as the official float32 code is, tensor by tensor: our error at most
 *       max({@link #FLOAT32_FACTOR} × the official float32 error, {@link #FLOAT32_FLOOR}) (kinds act32, out32, loss32,
 *       grad32).</li>
 * </ul>
 *
 * <p>Some gradients are zero in exact arithmetic and only rounding noise in both implementations (key biases, whose
 * shift cancels in the softmax; the first decoder layer's self-attention query/key weights, whose values are all
 * equal; saliency_proj1's bias, which shifts every score alike). A relative error between two noises means nothing,
 * so when the reference gradient's norm is below {@link #zeroGradient}·‖∇‖ (‖∇‖: the norm of the whole reference
 * gradient) the check is instead that ours is below that bound too; such lines are marked "≈0" and show ‖ours‖/‖∇‖.
 */
public final class Verifier {
    public static final double TOL_VALUES = 1e-4;
    public static final double TOL_GRADS = 1e-3;
    /** Ours in float64 against the official code in float64: every layer, output, loss and gradient. */
    public static final double TOL_FLOAT64 = 1e-9;
    /** Ours in float32 may be this many times further from the float64 answer than the official float32 code... */
    public static final double FLOAT32_FACTOR = 10;
    /** ...or this far, whichever is larger (an official error of 1e-8 would otherwise demand more than float32 has). */
    public static final double FLOAT32_FLOOR = 1e-5;

    /**
     * The float32 bound never exceeds the float32-against-float32 tolerances ({@link #TOL_VALUES}, {@link #TOL_GRADS}):
     * where the official float32 run took another branch than float64 (MR2HD's argmax on a degenerate sample, a kink),
     * its error is no rounding error and 10 times it would be no bound at all.
     */
    static double float32Cap(String kind) { return kind.startsWith("grad") ? TOL_GRADS : TOL_VALUES; }

    /**
     * A ReLU/PReLU pre-activation whose float64 value is within this fraction of its tensor's RMS of zero is a kink
     * near-tie for float32 (whose element errors reach a few 1e-6 of the RMS): where our float32 run takes the other
     * branch there, the float64 decision is imposed and reported ({@link KinkDecisions}).
     */
    public static final double KINK_TIE = 1e-5;

    /** Below this fraction of the whole gradient's norm a parameter's gradient is rounding noise around zero. */
    public static double zeroGradient(DType dtype) { return dtype == DType.FLOAT64 ? 1e-12 : 1e-6; }

    /** Foreground probabilities closer than this are a tie for MR2HD's argmax (float32 rounding is ~1e-7). */
    public static double mr2hdTie(DType dtype) { return dtype == DType.FLOAT64 ? 1e-12 : 1e-6; }

    /** Tolerance of a comparison with a reference of the given precision. */
    public static double tolerance(String kind, DType dtype) {
        if (dtype == DType.FLOAT64) return TOL_FLOAT64;
        return kind.equals("grad") ? TOL_GRADS : TOL_VALUES;
    }

    /**
     * One comparison. {@code officialError} is, for the float32 kinds, the official float32 code's error against the
     * same float64 answer (NaN elsewhere).
     */
    public record Check(String kind, String name, double error, double tolerance, String problem, boolean nearZero, double officialError) {
        Check(String kind, String name, double error, double tolerance, String problem) { this(kind, name, error, tolerance, problem, false, Double.NaN); }

        public boolean passed() { return problem == null && error <= tolerance; }

        public String line() {
            String status = passed() ? "ok  " : "FAIL";
            String detail = problem != null ? problem : String.format("%.2e%s%s", error,
                    Double.isNaN(officialError) ? "" : String.format("  official float32 %.2e, bound %.2e", officialError, tolerance),
                    nearZero ? "  ≈0: ‖ours‖/‖∇‖" : "");
            return String.format("%s %-6s %-70s %s", status, kind, name, detail);
        }
    }

    /** All comparisons, in forward order for activations, and the first failing activation (null if none). */
    public record Report(DType dtype, List<Check> checks, String firstFailingLayer, List<String> activationsWithoutCounterpart) {
        public long failures() { return checks.stream().filter(c -> !c.passed()).count(); }
    }

    /** Our side of one reference batch: every module output, the outputs, loss terms and gradients, by official name. */
    record Ours(TrDetrOutput out, long[] argmaxQueries, Map<String, Tensor> activations, Map<String, Tensor> outputs,
                Map<String, Tensor> losses, Map<String, Tensor> grads) {}

    /** Verifies the reference's own weights, or {@code weights} derived from them (null: the reference's). */
    public static Report run(Reference ref, Map<String, Tensor> weights) {
        return run(ref, ref.file(), weights);
    }

    /**
     * Verifies {@code weights} read from {@code weightsFile} (null weights: the reference's own). A key that is missing,
     * extra or misshapen is that file's fault, and the error names it, not the reference.
     */
    public static Report run(Reference ref, java.nio.file.Path weightsFile, Map<String, Tensor> weights) {
        DType dtype = ref.dtype();
        long[] referenceQueries = ref.mr2hdQueries();
        Ours ours;
        KinkDecisions float64Kinks = null;
        if (ref.officialFloat32() == null) {
            ours = compute(ref, weightsFile, weights, dtype, referenceQueries);
        } else {
            try (KinkDecisions k = KinkDecisions.record()) {           // the float64 decisions, to impose on float32 near-ties
                ours = compute(ref, weightsFile, weights, dtype, referenceQueries);
                float64Kinks = k;
            }
        }
        List<Check> checks = new ArrayList<>(mr2hdDecisions("mr2hd", referenceQueries, ours.argmaxQueries(), ours.out(), mr2hdTie(dtype)));
        Reference.Run expected = ref.official();
        double globalNorm = 0;
        for (Map.Entry<String, Tensor> e : expected.grads().entrySet()) globalNorm += Math.pow(ref.gradNorm(e.getKey(), e.getValue()), 2);
        globalNorm = Math.sqrt(globalNorm);

        String firstFailing = null;
        List<String> missing = new ArrayList<>();
        for (String key : ref.activationOrder()) {
            Tensor want = expected.activations().get(key);
            Tensor got = ours.activations().get(key);
            if (want == null) {
                checks.add(new Check("act", key, Double.NaN, tolerance("act", dtype), "named in meta.act_order, but the reference has no act." + key));
                continue;
            }
            if (got == null) {
                missing.add(key);
                checks.add(new Check("act", key, Double.NaN, tolerance("act", dtype), "the reference has it; ours made no such module call"));
                continue;
            }
            Check c = compare(ref, "act", key, got, want, tolerance("act", dtype));
            checks.add(c);
            if (!c.passed() && firstFailing == null) firstFailing = key;
        }
        checks.addAll(absentFromReference(ref, ours, dtype));
        for (Map.Entry<String, Tensor> e : expected.outputs().entrySet()) {
            Tensor got = ours.outputs().get(e.getKey());
            checks.add(got == null ? new Check("out", e.getKey(), Double.NaN, tolerance("out", dtype), "not produced")
                    : compare(ref, "out", e.getKey(), got, e.getValue(), tolerance("out", dtype)));
        }
        for (Map.Entry<String, Double> e : expected.losses().entrySet()) {
            Tensor got = ours.losses().get(e.getKey());
            checks.add(got == null ? new Check("loss", e.getKey(), Double.NaN, tolerance("loss", dtype), "not computed")
                    : compare(ref, "loss", e.getKey(), got, Tensor.of(new double[] {e.getValue()}), tolerance("loss", dtype)));
        }
        for (Map.Entry<String, Tensor> e : expected.grads().entrySet()) {
            Tensor g = ours.grads().get(e.getKey());
            if (g == null) {
                checks.add(new Check("grad", e.getKey(), Double.NaN, tolerance("grad", dtype), "no such parameter or no gradient"));
            } else if (ref.gradNorm(e.getKey(), e.getValue()) < zeroGradient(dtype) * globalNorm) {
                checks.add(new Check("grad", e.getKey(), norm(g) / globalNorm, zeroGradient(dtype), null, true, Double.NaN));
            } else {
                checks.add(withNorm(ref, compare(ref, "grad", e.getKey(), g, e.getValue(), tolerance("grad", dtype)), g));
            }
        }
        for (String name : ours.grads().keySet()) {
            if (!expected.grads().containsKey(name)) checks.add(new Check("grad", name, Double.NaN, tolerance("grad", dtype), "has a gradient; the reference has none"));
        }
        if (float64Kinks != null) {
            Ours ours32;
            try (KinkDecisions imposed = KinkDecisions.impose(float64Kinks, KINK_TIE)) {
                ours32 = compute(ref, weightsFile, weights, DType.FLOAT32, referenceQueries);
                for (String tie : imposed.nearTies()) checks.add(new Check("kink", tie + ", near-tie: the float64 decision imposed", 0, 0, null));
                for (String d : imposed.disagreements()) checks.add(new Check("kink", d, Double.NaN, 0, "float32 takes the other branch outside the near-tie band"));
            }
            checks.addAll(mr2hdDecisions("mr2hd32", referenceQueries, ours32.argmaxQueries(), ours32.out(), mr2hdTie(DType.FLOAT32)));
            checks.addAll(float32AgainstFloat64(ours32, ref, globalNorm, new java.util.HashSet<>(missing)));
        }
        return new Report(dtype, checks, firstFailing, missing);
    }

    /**
     * A failing check for everything ours computes that the reference lacks: a reference with an entry deleted must not
     * pass with fewer checks. Gradients are covered where they are compared. The one exception is the output
     * projection of torch's nn.MultiheadAttention, which the official code applies as a function inside the attention
     * (F.multi_head_attention_forward), so no hook of the exporter ever sees it; ours records it as a module call.
     */
    static List<Check> absentFromReference(Reference ref, Ours ours, DType dtype) {
        Reference.Run expected = ref.official();
        List<Check> checks = new ArrayList<>();
        for (String key : ours.activations().keySet()) {
            boolean reportedInOrder = ref.activationOrder().contains(key);
            if (!expected.activations().containsKey(key) && !reportedInOrder && !OFFICIAL_FUNCTIONAL_CALL.matcher(key).matches()) {
                checks.add(new Check("act", key, Double.NaN, tolerance("act", dtype), "recorded by ours; the reference has no act." + key));
            }
        }
        for (String key : ours.outputs().keySet()) {
            if (!expected.outputs().containsKey(key)) checks.add(new Check("out", key, Double.NaN, tolerance("out", dtype), "the reference has no out." + key));
        }
        for (String key : ours.losses().keySet()) {
            if (!expected.losses().containsKey(key)) checks.add(new Check("loss", key, Double.NaN, tolerance("loss", dtype), "the reference has no loss." + key));
        }
        return checks;
    }

    /** Module calls that the official code makes as plain functions (see {@link #absentFromReference}). */
    private static final java.util.regex.Pattern OFFICIAL_FUNCTIONAL_CALL = java.util.regex.Pattern.compile(".*\\.(self_attn|cross_attn)\\.out_proj(#\\d+)?");

    /**
     * Ours in float32 and the official float32 run, each against the float64 answer: ours fails where its error is over
     * max(FLOAT32_FACTOR × the official error, FLOAT32_FLOOR), capped at {@link #float32Cap}.
     */
    static List<Check> float32AgainstFloat64(Ours ours32, Reference ref, double globalNorm, java.util.Set<String> withoutCounterpart) {
        Reference.Run answer = ref.official(), official32 = ref.officialFloat32();
        List<Check> checks = new ArrayList<>();
        for (String key : ref.activationOrder()) {
            if (answer.activations().containsKey(key) && !withoutCounterpart.contains(key)) checks.add(float32Check(ref, "act32", key, ours32.activations().get(key), official32.activations().get(key), answer.activations().get(key), Double.NaN));
        }
        for (String key : answer.outputs().keySet()) checks.add(float32Check(ref, "out32", key, ours32.outputs().get(key), official32.outputs().get(key), answer.outputs().get(key), Double.NaN));
        for (String key : answer.losses().keySet()) {
            Double off = official32.losses().get(key);
            checks.add(float32Check(ref, "loss32", key, ours32.losses().get(key), off == null ? null : Tensor.of(new double[] {off}), Tensor.of(new double[] {answer.losses().get(key)}), Double.NaN));
        }
        for (String key : answer.grads().keySet()) {
            Tensor want = answer.grads().get(key);
            boolean zero = ref.gradNorm(key, want) < zeroGradient(DType.FLOAT32) * globalNorm;
            checks.add(float32Check(ref, "grad32", key, ours32.grads().get(key), official32.grads().get(key), want, zero ? globalNorm : Double.NaN));
        }
        return checks;
    }

    /** One float32 check; with a finite {@code zeroScale} the answer is ≈0 and errors are ‖x − answer‖/zeroScale. */
    private static Check float32Check(Reference ref, String kind, String name, Tensor ours, Tensor official, Tensor answer, double zeroScale) {
        String key = kind.substring(0, kind.length() - 2) + "." + name;
        if (ours != null) ours = ref.asStored(key, ours);
        if (ours == null) return new Check(kind, name, Double.NaN, FLOAT32_FLOOR, "not produced by ours in float32, or of another shape");
        if (official == null) return new Check(kind, name, Double.NaN, FLOAT32_FLOOR, "the reference has no official float32 value (f32." + name + ")");
        boolean zero = !Double.isNaN(zeroScale);
        double scale = zero ? ref.sampleScale(key) / zeroScale : Double.NaN;     // a sampled distance, scaled to the whole tensor
        double mine = zero ? distance(ours, answer) * scale : relative(name, ours, answer);
        double theirs = zero ? distance(official, answer) * scale : relative(name, official, answer);
        double bound = zero ? Math.min(Math.max(FLOAT32_FACTOR * theirs, zeroGradient(DType.FLOAT32)), FLOAT32_FACTOR * zeroGradient(DType.FLOAT32))
                : Math.min(Math.max(FLOAT32_FACTOR * theirs, FLOAT32_FLOOR), float32Cap(kind));
        return new Check(kind, name, mine, bound, Double.isNaN(mine) ? "NaN" : null, zero, theirs);
    }

    /**
     * For a sampled gradient, the sampled comparison misses a deviation confined to entries it did not keep: the
     * norm of our whole gradient is held to the reference's exact one (meta.config grad_norms) too.
     */
    private static Check withNorm(Reference ref, Check c, Tensor ours) {
        if (c.problem() != null || !ref.samples().containsKey("grad." + c.name())) return c;
        double want = ref.gradNorm(c.name(), null), got = norm(ours);
        double err = Math.abs(got - want) / want;
        return err <= c.error() ? c : new Check(c.kind(), c.name() + " (its norm)", err, c.tolerance(), null);
    }

    /** Our model in {@code dtype} on the reference's batch, forward (recording every module) and backward. */
    static Ours compute(Reference ref, java.nio.file.Path weightsFile, Map<String, Tensor> weights, DType dtype, long[] imposedQueries) {
        TrDetrConfig config = configOf(ref);
        TrDetr model = new TrDetr(config, new Generator(0), dtype);
        if (weights == null) StateDicts.load(model, ref.weights(), ref.file(), true);
        else StateDicts.load(model, weights, weightsFile, true);
        model.eval();

        Backend device = model.backend();                                       // the reference's inputs go where the model is
        Tensor vid = ref.input("vid").to(device).to(dtype), txt = ref.input("txt").to(device).to(dtype);
        Tensor vmask = ref.input("vmask").to(device).to(dtype), tmask = ref.input("tmask").to(device).to(dtype);
        Tensor aud = ref.inputs().get("aud") == null ? null : ref.inputs().get("aud").to(device).to(dtype);
        model.imposeMr2hdQueries(imposedQueries);                              // compare what follows the decision
        TrDetrOutput out;
        Map<String, Tensor> acts;
        try (ActivationRecorder rec = ActivationRecorder.start(model)) {
            out = model.forward(txt, tmask, vid, vmask, aud);
            acts = rec.activations();
        }
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        outputs.put("pred_logits", out.predLogits());
        outputs.put("pred_spans", out.predSpans());
        outputs.put("saliency_scores", out.saliency());
        outputs.put("src_vid_ed", out.srcVidEd());
        outputs.put("src_txt_ed", out.srcTxtEd());
        outputs.put("src_vid_cls_ed", out.srcVidClsEd());
        outputs.put("src_txt_cls_ed", out.srcTxtClsEd());
        for (int i = 0; i < out.aux().size(); i++) {
            outputs.put("aux" + i + ".pred_logits", out.aux().get(i).logits());
            outputs.put("aux" + i + ".pred_spans", out.aux().get(i).spans());
        }
        TrDetrCriterion.Result loss = new TrDetrCriterion(config).compute(out, targets(ref, dtype).to(device), tmask);
        Map<String, Tensor> losses = new LinkedHashMap<>(loss.terms());
        losses.put("total", loss.total());
        loss.total().backward();
        Map<String, Tensor> grads = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> { if (p.grad() != null) grads.put(name, p.grad()); });
        return new Ours(out, model.lastArgmaxQueries(), acts, outputs, losses, grads);
    }

    /** meta.config's v_feat_dim counts the audio columns too (the projection's in-features); ours does not. */
    static TrDetrConfig configOf(Reference ref) {
        Map<String, Object> o = new java.util.HashMap<>(ref.config());
        if (o.get("a_feat_dim") != null && o.get("v_feat_dim") != null) {
            // Both read (type, range) before the subtraction, so that no wrapped or negative width reaches fromOptions.
            trdetr.model.OptionReader r = TrDetrConfig.reader(o, ref.file());
            int a = r.integer("a_feat_dim", 0, TrDetrConfig.MAX_FEATURE_DIM);
            o.put("v_feat_dim", r.integer("v_feat_dim", a, a + TrDetrConfig.MAX_FEATURE_DIM) - a);
        }
        return TrDetrConfig.fromOptions(o, ref.file());
    }

    /** The batch's targets as the official collate builds them (spans listed sample by sample), values in {@code dtype}. */
    static Targets targets(Reference ref, DType dtype) {
        long[] counts = ref.input("nspans").toLongArray();
        Tensor spans = ref.input("spans").to(dtype);
        List<Tensor> perSample = new ArrayList<>();
        int at = 0;
        for (long n : counts) {
            perSample.add(spans.slice(0, at, at + (int) n));
            at += (int) n;
        }
        return new Targets(perSample, ref.input("pos"), ref.input("neg"), ref.input("allsal").to(dtype), ref.input("posmask").to(dtype));
    }

    /**
     * One check per sample: our MR2HD argmax picked the reference's query, or one whose foreground probability is
     * within {@code tie} of it (a near-tie, where rounding order decides and neither choice is wrong).
     */
    /** What marks an MR2HD decision that went another way than the reference's (a near-tie when it passed). */
    static final String NEAR_TIE = ", near-tie";

    /**
     * How many passed MR2HD decisions are near-ties: ours picked another query than the reference, within the tie.
     * Counted by the pick, not by the gap, since an exact tie (gap 0) is still another pick.
     */
    public static long nearTies(List<Check> decisions) {
        return decisions.stream().filter(c -> c.passed() && c.name().contains(NEAR_TIE)).count();
    }

    static List<Check> mr2hdDecisions(String kind, long[] reference, long[] ours, TrDetrOutput out, double tie) {
        List<Check> checks = new ArrayList<>();
        if (reference == null || ours == null) return checks;
        int queries = out.predLogits().size(1);
        double[] fg = out.predLogits().detach().softmax(-1).select(2, 0).toDoubleArray();
        for (int i = 0; i < reference.length; i++) {
            double gap = Math.abs(fg[i * queries + (int) ours[i]] - fg[i * queries + (int) reference[i]]);
            String name = "sample " + i + ": query " + ours[i] + (ours[i] == reference[i] ? "" : " (reference: " + reference[i] + NEAR_TIE + ")");
            checks.add(new Check(kind, name, ours[i] == reference[i] ? 0 : gap, tie,
                    ours[i] == reference[i] || gap <= tie ? null : "picked query " + ours[i] + ", the reference " + reference[i]
                            + "; foreground probabilities differ by " + String.format("%.2e", gap)));
        }
        return checks;
    }

    private static double norm(Tensor t) {
        double s = 0;
        for (double v : t.toDoubleArray()) s += v * v;
        return Math.sqrt(s);
    }

    private static double distance(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        if (x.length != y.length) return Double.NaN;
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
        return Math.sqrt(s);
    }

    /**
     * class_error (100 − the % of matched queries classified foreground) is a count on a 0–100 scale, often exactly
     * 0 in exact arithmetic and −1.4e-14 in float64 rounding: its error is measured against that scale, not relatively.
     */
    private static double relative(String name, Tensor ours, Tensor expected) {
        if (!name.startsWith("class_error")) return relative(ours, expected);
        return Math.abs(ours.item() - expected.item()) / 100.0;
    }

    private static double relative(Tensor ours, Tensor expected) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            boolean scalars = ours.numel() == 1 && expected.numel() == 1;
            if (!scalars && !java.util.Arrays.equals(ours.shape(), expected.shape())) return Double.NaN;
            return GradCheck.relativeError(ours.toDoubleArray(), expected.toDoubleArray());
        }
    }

    static Check compare(Reference ref, String kind, String name, Tensor ours, Tensor expected, double tol) {
        boolean scalars = ours.numel() == 1 && expected.numel() == 1;
        Tensor stored = scalars ? ours : ref.asStored(kind + "." + name, ours);
        if (stored == null || !scalars && !java.util.Arrays.equals(stored.shape(), expected.shape())) {
            return new Check(kind, name, Double.NaN, tol, "shape " + java.util.Arrays.toString(ours.shape()) + " vs reference "
                    + java.util.Arrays.toString(ref.storedShape(kind + "." + name, expected)));
        }
        ours = stored;
        double err = relative(name, ours, expected);
        return new Check(kind, name, err, tol, Double.isNaN(err) ? "NaN" : null);
    }
}
