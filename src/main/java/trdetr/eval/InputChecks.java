package trdetr.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import trdetr.data.AnnotationRules;

/**
 * What the {@code eval} command checks in the files a user hands it before scoring them: rows the official evaluator
 * would score without a word but whose numbers mean nothing (docs/data-validation.md). A repeated qid is the main
 * one: the official code merges the repeats' windows into one query's mAP and keeps the last line for R1 and the
 * highlight metrics, so one stray duplicate line can change Hit1 from 100 to 50.
 *
 * <p>The evaluator itself ({@link StandaloneEvaluator}) keeps the official handling of such input, which
 * EvalCasesTest compares with the official output (repeated qids, negative and repeated clip ids, reversed
 * predicted windows); these checks sit in front of it, so a caller who needs the official numbers for such a file
 * still gets them through the library.
 */
public final class InputChecks {
    private InputChecks() {}

    /**
     * Each qid once; no null prediction field; each predicted window with start ≤ end (zero length is allowed: the
     * official post-processing makes those).
     */
    public static void submission(List<SubmissionEntry> submission) {
        Map<Qid, String> first = new HashMap<>();
        for (SubmissionEntry s : submission) {
            repeated(first, s.qid(), s.where(), s.source());
            for (String field : new String[] {"pred_relevant_windows", "pred_saliency_scores"}) {
                // Read as absent by the evaluator; the official one takes a present key as data and fails on None.
                if (s.source() != null && s.source().node().has(field) && s.source().node().get(field).isNull()) {
                    throw s.error("qid " + s.qid() + ": \"" + field + "\" is null");
                }
            }
            if (s.windows() == null) continue;
            for (int i = 0; i < s.windows().size(); i++) {
                double[] w = s.windows().get(i);
                if (!Double.isFinite(w[0]) || !Double.isFinite(w[1])) {
                    throw s.error("qid " + s.qid() + ": pred_relevant_windows entry " + i + " [" + AnnotationRules.num(w[0]) + ", "
                            + AnnotationRules.num(w[1]) + "] is not a pair of finite numbers");
                }
                if (w[0] > w[1]) {
                    throw s.error("qid " + s.qid() + ": pred_relevant_windows entry " + i + " [" + AnnotationRules.num(w[0]) + ", "
                            + AnnotationRules.num(w[1]) + "] has start > end");
                }
            }
        }
    }

    /** The annotation rules of {@link AnnotationRules} on every field the row has. */
    public static void groundTruth(List<GroundTruthEntry> groundTruth) {
        Map<Qid, String> first = new HashMap<>();
        for (GroundTruthEntry g : groundTruth) {
            repeated(first, g.qid(), g.where(), g.source());
            double duration = g.duration() == null ? Double.NaN : g.duration();
            if (g.duration() != null) check(g, AnnotationRules.duration(duration));
            if (g.relevantWindows() != null) {
                for (double[] w : g.relevantWindows()) check(g, AnnotationRules.window(w[0], w[1], duration));
            }
            if (g.relevantClipIds() != null && g.duration() != null) check(g, AnnotationRules.clipIds(g.relevantClipIds(), duration));
            if (g.saliencyScores() != null) {
                if (g.relevantClipIds() != null) check(g, AnnotationRules.saliencyRows(g.saliencyScores().size(), g.relevantClipIds().length));
                for (int i = 0; i < g.saliencyScores().size(); i++) check(g, AnnotationRules.saliencyRow(i, g.saliencyScores().get(i)));
            }
        }
    }

    private static void check(GroundTruthEntry g, String problem) {
        if (problem != null) throw g.error("qid " + g.qid() + ": " + problem);
    }

    private static void repeated(Map<Qid, String> first, Qid qid, String where, JsonlLine source) {
        String at = first.putIfAbsent(qid, source != null ? "line " + source.line() : where);
        if (at != null) {
            String problem = AnnotationRules.repeatedQid(qid.toString(), at);
            throw source != null ? source.error(problem) : new IllegalArgumentException(problem);
        }
    }
}
