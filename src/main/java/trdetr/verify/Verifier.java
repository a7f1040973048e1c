package trdetr.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import trdetr.autograd.GradMode;
import trdetr.backend.Backend;
import trdetr.gradcheck.GradCheck;
import trdetr.io.StateDicts;
import trdetr.loss.Targets;
import trdetr.loss.TrDetrCriterion;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.model.TrDetrOutput;
import trdetr.nn.ActivationRecorder;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * Runs our model on a reference batch and compares every activation, output, loss term and gradient with the official
 * ones by relative error ‖ours − ref‖/‖ref‖. Tolerances (float32, CPU): 1e-4 for activations, outputs and losses,
 * 1e-3 for gradients.
 *
 * <p>Some gradients are zero in exact arithmetic and only rounding noise in both implementations (key biases, whose
 * shift cancels in the softmax; the first decoder layer's self-attention query/key weights, whose values are all
 * equal; saliency_proj1's bias, which shifts every score alike). A relative error between two noises means nothing,
 * so when the reference gradient's norm is below 1e-6·‖∇‖ (‖∇‖: the norm of the whole reference gradient) the check is
 * instead that ours is below that bound too; such lines are marked "≈0" and show ‖ours‖/‖∇‖.
 */
public final class Verifier {
    public static final double TOL_VALUES = 1e-4;
    public static final double TOL_GRADS = 1e-3;
    /** Below this fraction of the whole gradient's norm a parameter's gradient is rounding noise around zero. */
    public static final double ZERO_GRADIENT = 1e-6;
    /** Foreground probabilities closer than this are a tie for MR2HD's argmax (float32 rounding is ~1e-7). */
    public static final double MR2HD_TIE = 1e-6;

    /** One comparison. */
    public record Check(String kind, String name, double error, double tolerance, String problem, boolean nearZero) {
        Check(String kind, String name, double error, double tolerance, String problem) { this(kind, name, error, tolerance, problem, false); }

        public boolean passed() { return problem == null && error <= tolerance; }

        public String line() {
            String status = passed() ? "ok  " : "FAIL";
            String detail = problem != null ? problem : String.format("%.2e%s", error, nearZero ? "  ≈0: ‖ours‖/‖∇‖, both below 1e-6" : "");
            return String.format("%s %-5s %-70s %s", status, kind, name, detail);
        }
    }

    /** All comparisons, in forward order for activations, and the first failing activation (null if none). */
    public record Report(List<Check> checks, String firstFailingLayer, List<String> activationsWithoutCounterpart) {
        public long failures() { return checks.stream().filter(c -> !c.passed()).count(); }
    }

    public static Report run(Reference ref, Map<String, Tensor> weights) {
        TrDetrConfig config = configOf(ref);
        TrDetr model = new TrDetr(config, new Generator(0), DType.FLOAT32);
        StateDicts.load(model, weights != null ? weights : ref.weights(), ref.file(), true);
        model.eval();

        Backend device = model.backend();                                       // the reference's inputs go where the model is
        Tensor vid = ref.input("vid").to(device), txt = ref.input("txt").to(device);
        Tensor vmask = ref.input("vmask").to(device).to(DType.FLOAT32), tmask = ref.input("tmask").to(device).to(DType.FLOAT32);
        Tensor aud = ref.inputs().get("aud") == null ? null : ref.inputs().get("aud").to(device);
        long[] referenceQueries = referenceMr2hdQueries(ref);
        model.imposeMr2hdQueries(referenceQueries);                            // compare what follows the decision
        TrDetrOutput out;
        Map<String, Tensor> acts;
        try (ActivationRecorder rec = ActivationRecorder.start(model)) {
            out = model.forward(txt, tmask, vid, vmask, aud);
            acts = rec.activations();
        }
        List<Check> checks = new ArrayList<>(mr2hdDecisions(referenceQueries, model.lastArgmaxQueries(), out));
        String firstFailing = null;
        List<String> missing = new ArrayList<>();
        for (String key : ref.activationOrder()) {
            Tensor expected = ref.activations().get(key);
            Tensor ours = acts.get(key);
            if (expected == null) continue;
            if (ours == null) { missing.add(key); continue; }
            Check c = compare("act", key, ours, expected, TOL_VALUES);
            checks.add(c);
            if (!c.passed() && firstFailing == null) firstFailing = key;
        }
        Map<String, Tensor> outputs = new java.util.LinkedHashMap<>();
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
        for (Map.Entry<String, Tensor> e : ref.outputs().entrySet()) {
            Tensor ours = outputs.get(e.getKey());
            checks.add(ours == null ? new Check("out", e.getKey(), Double.NaN, TOL_VALUES, "not produced")
                    : compare("out", e.getKey(), ours, e.getValue(), TOL_VALUES));
        }

        TrDetrCriterion.Result loss = new TrDetrCriterion(config).compute(out, targets(ref).to(device), tmask);
        for (Map.Entry<String, Double> e : ref.losses().entrySet()) {
            Tensor ours = e.getKey().equals("total") ? loss.total() : loss.terms().get(e.getKey());
            checks.add(ours == null ? new Check("loss", e.getKey(), Double.NaN, TOL_VALUES, "not computed")
                    : compare("loss", e.getKey(), ours, Tensor.of(new double[] {e.getValue()}), TOL_VALUES));
        }
        loss.total().backward();
        Map<String, Tensor> params = model.namedParameters();
        double globalNorm = 0;
        for (Tensor g : ref.grads().values()) {
            double n = norm(g);
            globalNorm += n * n;
        }
        globalNorm = Math.sqrt(globalNorm);
        for (Map.Entry<String, Tensor> e : ref.grads().entrySet()) {
            Tensor p = params.get(e.getKey());
            Tensor g = p == null ? null : p.grad();
            if (g == null) {
                checks.add(new Check("grad", e.getKey(), Double.NaN, TOL_GRADS, p == null ? "no such parameter" : "no gradient"));
                continue;
            }
            if (norm(e.getValue()) < ZERO_GRADIENT * globalNorm) {
                checks.add(new Check("grad", e.getKey(), norm(g) / globalNorm, ZERO_GRADIENT, null, true));
            } else {
                checks.add(compare("grad", e.getKey(), g, e.getValue(), TOL_GRADS));
            }
        }
        for (String name : params.keySet()) {
            if (params.get(name).grad() != null && !ref.grads().containsKey(name)) {
                checks.add(new Check("grad", name, Double.NaN, TOL_GRADS, "has a gradient; the reference has none"));
            }
        }
        return new Report(checks, firstFailing, missing);
    }

    /** meta.config's v_feat_dim counts the audio columns too (the projection's in-features); ours does not. */
    static TrDetrConfig configOf(Reference ref) {
        Map<String, Object> o = new java.util.HashMap<>(ref.config());
        if (o.get("a_feat_dim") instanceof Number a && o.get("v_feat_dim") instanceof Number v) o.put("v_feat_dim", v.intValue() - a.intValue());
        return TrDetrConfig.fromOptions(o);
    }

    /** The batch's targets as the official collate builds them (spans listed sample by sample). */
    static Targets targets(Reference ref) {
        long[] counts = ref.input("nspans").toLongArray();
        Tensor spans = ref.input("spans").to(DType.FLOAT32);
        List<Tensor> perSample = new ArrayList<>();
        int at = 0;
        for (long n : counts) {
            perSample.add(spans.slice(0, at, at + (int) n));
            at += (int) n;
        }
        return new Targets(perSample, ref.input("pos"), ref.input("neg"), ref.input("allsal").to(DType.FLOAT32), ref.input("posmask").to(DType.FLOAT32));
    }

    /** The queries the official MR2HD picked (meta.config "mr2hd_slices"), or null when the reference has none. */
    @SuppressWarnings("unchecked")
    static long[] referenceMr2hdQueries(Reference ref) {
        Object slices = ref.config().get("mr2hd_slices");
        if (!(slices instanceof List)) return null;
        List<Map<String, Object>> list = (List<Map<String, Object>>) slices;
        long[] q = new long[list.size()];
        for (int i = 0; i < q.length; i++) q[i] = ((Number) list.get(i).get("query")).longValue();
        return q;
    }

    /**
     * One check per sample: our MR2HD argmax picked the reference's query, or one whose foreground probability is
     * within {@link #MR2HD_TIE} of it (a near-tie, where rounding order decides and neither choice is wrong).
     */
    static List<Check> mr2hdDecisions(long[] reference, long[] ours, TrDetrOutput out) {
        List<Check> checks = new ArrayList<>();
        if (reference == null || ours == null) return checks;
        int queries = out.predLogits().size(1);
        double[] fg = out.predLogits().detach().softmax(-1).select(2, 0).toDoubleArray();
        for (int i = 0; i < reference.length; i++) {
            double gap = Math.abs(fg[i * queries + (int) ours[i]] - fg[i * queries + (int) reference[i]]);
            String name = "sample " + i + ": query " + ours[i] + (ours[i] == reference[i] ? "" : " (reference: " + reference[i] + ", near-tie)");
            checks.add(new Check("mr2hd", name, ours[i] == reference[i] ? 0 : gap, MR2HD_TIE,
                    ours[i] == reference[i] || gap <= MR2HD_TIE ? null : "picked query " + ours[i] + ", the reference " + reference[i]
                            + "; foreground probabilities differ by " + String.format("%.2e", gap)));
        }
        return checks;
    }

    private static double norm(Tensor t) {
        double s = 0;
        for (double v : t.toDoubleArray()) s += v * v;
        return Math.sqrt(s);
    }

    static Check compare(String kind, String name, Tensor ours, Tensor expected, double tol) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            boolean scalars = ours.numel() == 1 && expected.numel() == 1;
            if (!scalars && !java.util.Arrays.equals(ours.shape(), expected.shape())) {
                return new Check(kind, name, Double.NaN, tol, "shape " + java.util.Arrays.toString(ours.shape()) + " vs reference "
                        + java.util.Arrays.toString(expected.shape()));
            }
            double err = GradCheck.relativeError(ours.toDoubleArray(), expected.toDoubleArray());
            return new Check(kind, name, err, tol, Double.isNaN(err) ? "NaN" : null);
        }
    }
}
