package trdetr.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.cli.UserError;
import trdetr.pyexact.NumpyArgsort;
import trdetr.pyexact.NumpyReductions;
import trdetr.pyexact.PythonFloats;

/**
 * Moment-retrieval metrics of one length split ({@code compute_mr_ap} and {@code compute_mr_r1} of the official
 * evaluator): mAP at IoU 0.5:0.05:0.95 with their average, and recall@1 at the same thresholds.
 *
 * <p>mAP: each query's first 10 submitted windows (a qid submitted twice pools both lines' windows) against all its
 * ground-truth windows ({@link DetectionAveragePrecision}); per threshold the mean over queries (rows added in
 * order, as {@code ap_array.mean(0)}), "average" the pairwise mean of the ten. R1: the first submitted window (the
 * last line wins for a repeated qid) against the ground-truth window of highest true IoU (first maximum, NaN
 * winning as in {@code np.argmax}), scored with the hull IoU. Every value ×100 and rounded to two decimals.
 */
public final class MomentRetrievalEvaluation {
    private MomentRetrievalEvaluation() {}

    /** The threshold keys as the official code spells them ({@code str(float(f"{e:.2f}"))}). */
    public static final List<String> THRESHOLD_KEYS =
            List.of("0.5", "0.55", "0.6", "0.65", "0.7", "0.75", "0.8", "0.85", "0.9", "0.95");
    static final double[] THRESHOLDS = THRESHOLD_KEYS.stream().mapToDouble(Double::parseDouble).toArray();

    /** Predictions per query that the mAP looks at. */
    public static final int MAX_PRED_WINDOWS = 10;

    /**
     * Scores of one split; the inputs are already filtered to it ({@link LengthSplit}) and validated: every
     * submission has at least one window, every ground-truth entry at least one window.
     */
    public static SplitScores evaluate(List<SubmissionEntry> submission, List<GroundTruthEntry> gt, String splitName) {
        if (submission.isEmpty() || gt.isEmpty()) {
            throw new UserError("no query has a ground-truth window in the \"" + splitName
                    + "\" length range, so its mAP is a mean over nothing (the official evaluator fails here too)");
        }
        return new SplitScores(meanAp(submission, gt), recallAt1(submission, gt));
    }

    static Map<String, Double> meanAp(List<SubmissionEntry> submission, List<GroundTruthEntry> gt) {
        Map<Qid, List<double[]>> predByQid = new LinkedHashMap<>();
        for (SubmissionEntry s : submission) {
            List<double[]> w = s.windows();
            List<double[]> into = predByQid.computeIfAbsent(s.qid(), q -> new ArrayList<>());
            for (int i = 0; i < Math.min(MAX_PRED_WINDOWS, w.size()); i++) into.add(w.get(i));
        }
        Map<Qid, List<double[]>> gtByQid = new LinkedHashMap<>();
        for (GroundTruthEntry d : gt) gtByQid.computeIfAbsent(d.qid(), q -> new ArrayList<>()).addAll(d.relevantWindows());

        double[][] rows = new double[predByQid.size()][];
        int r = 0;
        for (Map.Entry<Qid, List<double[]>> e : predByQid.entrySet()) {
            List<double[]> g = gtByQid.getOrDefault(e.getKey(), List.of());
            double[] starts = new double[g.size()], ends = new double[g.size()];
            for (int i = 0; i < g.size(); i++) {
                starts[i] = g.get(i)[0];
                ends[i] = g.get(i)[1];
            }
            rows[r++] = DetectionAveragePrecision.compute(starts, ends, e.getValue(), THRESHOLDS);
        }
        double[] perThreshold = NumpyReductions.columnMeans(rows, THRESHOLDS.length);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int t = 0; t < THRESHOLDS.length; t++) out.put(THRESHOLD_KEYS.get(t), PythonFloats.percent2(perThreshold[t]));
        out.put("average", PythonFloats.percent2(NumpyReductions.mean(perThreshold)));
        return out;
    }

    static Map<String, Double> recallAt1(List<SubmissionEntry> submission, List<GroundTruthEntry> gt) {
        Map<Qid, double[]> top1 = new LinkedHashMap<>();
        for (SubmissionEntry s : submission) top1.put(s.qid(), s.windows().get(0));
        Map<Qid, double[]> chosenGt = new LinkedHashMap<>();
        for (GroundTruthEntry d : gt) {
            List<double[]> g = d.relevantWindows();
            double[] p = top1.get(d.qid());
            if (p == null) throw d.error("qid " + d.qid() + " has no prediction");
            double[] starts = new double[g.size()], ends = new double[g.size()];
            for (int i = 0; i < g.size(); i++) {
                starts[i] = g.get(i)[0];
                ends[i] = g.get(i)[1];
            }
            chosenGt.put(d.qid(), g.get(NumpyArgsort.argmax(TemporalIou.cross(p[0], p[1], starts, ends))));
        }
        double[] iou = new double[top1.size()];
        int i = 0;
        for (Map.Entry<Qid, double[]> e : top1.entrySet()) {
            double[] g = chosenGt.get(e.getKey());
            if (g == null) throw new UserError("qid " + e.getKey() + " has no ground truth");
            double[] p = e.getValue();
            iou[i++] = TemporalIou.hull(p[0], p[1], g[0], g[1]);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        double[] hit = new double[iou.length];
        for (int t = 0; t < THRESHOLDS.length; t++) {
            for (int k = 0; k < iou.length; k++) hit[k] = iou[k] >= THRESHOLDS[t] ? 1 : 0;
            out.put(THRESHOLD_KEYS.get(t), PythonFloats.roundDecimals(NumpyReductions.mean(hit) * 100, 2));
        }
        return out;
    }
}
