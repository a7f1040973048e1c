package trdetr.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.pyexact.NumpyArgsort;
import trdetr.pyexact.NumpyReductions;
import trdetr.pyexact.PythonFloats;

/**
 * Highlight-detection metrics of the official evaluator ({@code eval_highlight}) at the three saliency levels
 * Fair (≥ 2), Good (≥ 3) and VeryGood (≥ 4).
 *
 * <p>Ground truth per query: {@code int(duration / 2)} clips × 3 annotators, zero except the relevant clips (a
 * negative clip id counts from the end, as NumPy indexing does; a repeated id keeps its last row); binarised with
 * ≥ level. HIT@1: the clip of the highest predicted score (first maximum; NaN wins) — its 3 labels if it lies inside
 * the video, else zeros — max over annotators, mean over queries. mAP: for every (query, annotator) the
 * {@link SaliencyAveragePrecision} of the predictions cut or zero-padded to the clip count, mean over all pairs.
 * Queries are taken in submission order, a repeated qid counting once with its last line. ×100, two decimals.
 */
public final class HighlightEvaluation {
    private HighlightEvaluation() {}

    /** The saliency levels and their names, in output order. */
    public static final Map<String, Integer> LEVELS = levels();
    /** Seconds per clip in the ground truth. */
    public static final double CLIP_LENGTH = 2;
    private static final int ANNOTATORS = 3;

    private static Map<String, Integer> levels() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("Fair", 2);
        m.put("Good", 3);
        m.put("VeryGood", 4);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** "HL-min-Fair" … "HL-min-VeryGood" → scores; inputs validated (every entry has the fields HL needs). */
    public static Map<String, HighlightScores> evaluate(List<SubmissionEntry> submission, List<GroundTruthEntry> gt) {
        Map<Qid, SubmissionEntry> preds = new LinkedHashMap<>();
        for (SubmissionEntry s : submission) preds.put(s.qid(), s);
        Map<Qid, double[][]> scores = new LinkedHashMap<>();
        for (GroundTruthEntry d : gt) scores.put(d.qid(), clipScores(d));

        Map<String, HighlightScores> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> level : LEVELS.entrySet()) {
            int min = level.getValue();
            double[] hits = new double[preds.size()];
            double[][] ap = new double[preds.size()][ANNOTATORS];
            int q = 0;
            for (SubmissionEntry s : preds.values()) {
                double[][] full = scores.get(s.qid());
                int n = full.length;
                double[][] binary = new double[ANNOTATORS][n];
                for (int c = 0; c < n; c++) {
                    for (int a = 0; a < ANNOTATORS; a++) binary[a][c] = full[c][a] >= min ? 1 : 0;
                }
                double[] pred = s.saliency();
                if (pred.length == 0) throw s.error("\"pred_saliency_scores\" is empty (the official evaluator fails on it)");
                int top = NumpyArgsort.argmax(pred);
                double hit = 0;
                if (top < n) {
                    for (int a = 0; a < ANNOTATORS; a++) hit = Math.max(hit, binary[a][top]);
                }
                hits[q] = hit;
                double[] fitted = new double[n];
                System.arraycopy(pred, 0, fitted, 0, Math.min(n, pred.length));
                for (int a = 0; a < ANNOTATORS; a++) {
                    try {
                        ap[q][a] = SaliencyAveragePrecision.compute(binary[a], fitted);
                    } catch (IllegalArgumentException e) {
                        throw s.error("highlight AP: " + e.getMessage());
                    }
                }
                q++;
            }
            out.put("HL-min-" + level.getKey(), new HighlightScores(
                    PythonFloats.percent2(NumpyReductions.mean(ap)), PythonFloats.percent2(NumpyReductions.mean(hits))));
        }
        return out;
    }

    /** {@code mk_gt_scores}: the (clips, 3) score matrix of one query. */
    static double[][] clipScores(GroundTruthEntry d) {
        double numClips = d.duration() / CLIP_LENGTH;
        if (!(numClips >= 0) || numClips > Integer.MAX_VALUE) throw d.error("\"duration\" " + d.duration() + " is not a valid length");
        int n = (int) numClips; // int() truncates
        double[][] full = new double[n][ANNOTATORS];
        long[] ids = d.relevantClipIds();
        List<double[]> rows = d.saliencyScores();
        if (ids.length == 0) throw d.error("\"relevant_clip_ids\" is empty (the official evaluator fails on it)");
        if (rows.size() != ids.length) {
            throw d.error("\"saliency_scores\" has " + rows.size() + " rows for " + ids.length + " relevant clip ids");
        }
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i];
            if (id >= n || id < -n) throw d.error("relevant clip id " + id + " is outside the video's " + n + " clips (duration " + PythonFloats.repr(d.duration()) + ")");
            double[] r = rows.get(i);
            if (r.length != ANNOTATORS) throw d.error("\"saliency_scores\"[" + i + "] has " + r.length + " scores, expected " + ANNOTATORS);
            int c = (int) (id < 0 ? id + n : id);
            full[c] = r.clone();
        }
        return full;
    }
}
