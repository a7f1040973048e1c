package trdetr.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import trdetr.cli.UserError;

/**
 * The official QVHighlights evaluator ({@code standalone_eval/eval.py}, {@code eval_submission}) reproduced to the
 * last printed digit: moment retrieval per length split ({@link MomentRetrievalEvaluation}, {@link LengthSplit}),
 * highlight detection per saliency level ({@link HighlightEvaluation}), and the result in the official shape
 * ({@link EvaluationResult}).
 *
 * <p>Where the original would stop with a Python exception (qid sets that differ, an empty prediction list, a clip
 * id outside the video, a length split with no query…) we stop with a one-line error naming the file and line.
 */
public final class StandaloneEvaluator {
    private StandaloneEvaluator() {}

    /** {@code eval_submission(load_jsonl(submission), load_jsonl(gt))} with the qid-set check on. */
    public static EvaluationResult evaluateFiles(Path submission, Path groundTruth) throws IOException {
        return evaluateFiles(submission, groundTruth, true);
    }

    /**
     * @param matchNumber true: the qid sets must be equal (the official default); false: keep only the qids present
     *                    in both files
     */
    public static EvaluationResult evaluateFiles(Path submission, Path groundTruth, boolean matchNumber) throws IOException {
        List<SubmissionEntry> sub = new ArrayList<>();
        for (JsonlLine l : JsonlReader.read(submission)) sub.add(SubmissionEntry.fromJson(l));
        List<GroundTruthEntry> gt = readGroundTruth(groundTruth);
        if (sub.isEmpty()) throw new UserError(submission + ": no predictions (empty file)");
        return evaluate(sub, gt, matchNumber);
    }

    /** The entries of an annotation file. */
    public static List<GroundTruthEntry> readGroundTruth(Path groundTruth) throws IOException {
        List<GroundTruthEntry> gt = new ArrayList<>();
        for (JsonlLine l : JsonlReader.read(groundTruth)) gt.add(GroundTruthEntry.fromJson(l));
        return gt;
    }

    /** {@code eval_submission(submission, ground_truth, match_number=matchNumber)}. */
    public static EvaluationResult evaluate(List<SubmissionEntry> submission, List<GroundTruthEntry> groundTruth, boolean matchNumber) {
        if (matchNumber) {
            checkSameQids(submission, groundTruth);
        } else {
            Set<Qid> inSub = new LinkedHashSet<>(), inGt = new LinkedHashSet<>();
            submission.forEach(s -> inSub.add(s.qid()));
            groundTruth.forEach(g -> inGt.add(g.qid()));
            submission = submission.stream().filter(s -> inGt.contains(s.qid())).toList();
            groundTruth = groundTruth.stream().filter(g -> inSub.contains(g.qid())).toList();
        }
        if (submission.isEmpty()) throw new UserError("no predictions to evaluate");
        boolean hasWindows = submission.get(0).windows() != null;
        boolean hasSaliency = submission.get(0).saliency() != null;

        Map<String, SplitScores> mr = new LinkedHashMap<>();
        Map<String, Double> briefMr = new TreeMap<>(); // the official brief sorts its MR keys
        if (hasWindows) {
            validateForMomentRetrieval(submission, groundTruth);
            Map<String, SplitScores> bySplit = new TreeMap<>(); // output keys sorted: full, long, middle, short
            for (LengthSplit split : LengthSplit.values()) {
                List<GroundTruthEntry> g = split.filterGroundTruth(groundTruth);
                List<SubmissionEntry> s = split.filterSubmission(submission, g);
                bySplit.put(split.key, MomentRetrievalEvaluation.evaluate(s, g, split.key));
            }
            mr.putAll(bySplit);
            briefMr.put("MR-full-mAP", bySplit.get("full").map().get("average"));
            briefMr.put("MR-full-mAP@0.5", bySplit.get("full").map().get("0.5"));
            briefMr.put("MR-full-mAP@0.75", bySplit.get("full").map().get("0.75"));
            briefMr.put("MR-short-mAP", bySplit.get("short").map().get("average"));
            briefMr.put("MR-middle-mAP", bySplit.get("middle").map().get("average"));
            briefMr.put("MR-long-mAP", bySplit.get("long").map().get("average"));
            briefMr.put("MR-full-R1@0.5", bySplit.get("full").recallAt1().get("0.5"));
            briefMr.put("MR-full-R1@0.7", bySplit.get("full").recallAt1().get("0.7"));
        }
        Map<String, HighlightScores> hl = new LinkedHashMap<>();
        if (hasSaliency) {
            validateForHighlights(submission, groundTruth);
            hl.putAll(HighlightEvaluation.evaluate(submission, groundTruth));
        }
        Map<String, Double> brief = new LinkedHashMap<>(briefMr);
        hl.forEach((k, v) -> {
            brief.put(k + "-mAP", v.map());
            brief.put(k + "-Hit1", v.hit1());
        });
        return new EvaluationResult(brief, hl, mr);
    }

    /** The official {@code assert pred_qids == gt_qids}, reported with the first qid on each side that has no match. */
    static void checkSameQids(List<SubmissionEntry> submission, List<GroundTruthEntry> groundTruth) {
        Map<Qid, String> sub = new LinkedHashMap<>(), gt = new LinkedHashMap<>();
        submission.forEach(s -> sub.putIfAbsent(s.qid(), s.where()));
        groundTruth.forEach(g -> gt.putIfAbsent(g.qid(), g.where()));
        List<String> problems = new ArrayList<>();
        List<Qid> onlySub = sub.keySet().stream().filter(q -> !gt.containsKey(q)).toList();
        List<Qid> onlyGt = gt.keySet().stream().filter(q -> !sub.containsKey(q)).toList();
        if (!onlyGt.isEmpty()) {
            Qid q = onlyGt.get(0);
            problems.add(onlyGt.size() + " ground-truth qid(s) have no prediction (first: qid " + q + " at " + gt.get(q) + ")");
        }
        if (!onlySub.isEmpty()) {
            Qid q = onlySub.get(0);
            problems.add(onlySub.size() + " predicted qid(s) are not in the ground truth (first: qid " + q + " at " + sub.get(q) + ")");
        }
        if (!problems.isEmpty()) {
            throw new UserError("the qids of the submission and the ground truth must match: " + String.join("; ", problems));
        }
    }

    private static void validateForMomentRetrieval(List<SubmissionEntry> submission, List<GroundTruthEntry> groundTruth) {
        for (SubmissionEntry s : submission) {
            if (s.windows() == null) throw s.error("missing field \"pred_relevant_windows\" (the first line has it)");
            if (s.windows().isEmpty()) throw s.error("\"pred_relevant_windows\" is empty (the official evaluator fails on it)");
        }
        for (GroundTruthEntry g : groundTruth) {
            if (g.relevantWindows() == null) throw g.error("missing field \"relevant_windows\"");
            if (g.relevantWindows().isEmpty()) throw g.error("\"relevant_windows\" is empty (the official evaluator fails on it)");
        }
    }

    private static void validateForHighlights(List<SubmissionEntry> submission, List<GroundTruthEntry> groundTruth) {
        for (SubmissionEntry s : submission) {
            if (s.saliency() == null) throw s.error("missing field \"pred_saliency_scores\" (the first line has it)");
        }
        for (GroundTruthEntry g : groundTruth) {
            if (g.duration() == null) throw g.error("missing field \"duration\"");
            if (g.relevantClipIds() == null) throw g.error("missing field \"relevant_clip_ids\"");
            if (g.saliencyScores() == null) throw g.error("missing field \"saliency_scores\"");
        }
    }
}
