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
        return evaluate(readSubmission(submission), readGroundTruth(groundTruth), matchNumber);
    }

    /** The entries of a submission file; an empty file is an error. */
    public static List<SubmissionEntry> readSubmission(Path submission) throws IOException {
        List<SubmissionEntry> sub = new ArrayList<>();
        for (JsonlLine l : JsonlReader.read(submission)) sub.add(SubmissionEntry.fromJson(l));
        if (sub.isEmpty()) throw new UserError(submission + ": no predictions (empty file)");
        return sub;
    }

    /** The entries of an annotation file. */
    public static List<GroundTruthEntry> readGroundTruth(Path groundTruth) throws IOException {
        List<GroundTruthEntry> gt = new ArrayList<>();
        for (JsonlLine l : JsonlReader.read(groundTruth)) gt.add(GroundTruthEntry.fromJson(l));
        return gt;
    }

    /** {@code eval_submission(submission, ground_truth, match_number=matchNumber)}. */
    public static EvaluationResult evaluate(List<SubmissionEntry> submission, List<GroundTruthEntry> groundTruth, boolean matchNumber) {
        return evaluate(submission, groundTruth, matchNumber, LengthSplit.OFFICIAL, true);
    }

    /**
     * The same computation over other length ranges ({@link LengthSplit#LIGHTHOUSE} for Charades-STA), and with the
     * highlight part only when {@code highlights} is set and the submission has saliency: a dataset whose annotations
     * have no saliency scores is scored on moment retrieval alone.
     */
    public static EvaluationResult evaluate(List<SubmissionEntry> submission, List<GroundTruthEntry> groundTruth, boolean matchNumber,
                                            List<LengthSplit> ranges, boolean highlights) {
        Matched m = match(submission, groundTruth, matchNumber);
        submission = m.submission();
        groundTruth = m.groundTruth();
        boolean hasWindows = submission.get(0).windows() != null;
        boolean hasSaliency = highlights && submission.get(0).saliency() != null;

        Map<String, SplitScores> mr = new LinkedHashMap<>();
        Map<String, Double> briefMr = new TreeMap<>(); // the official brief sorts its MR keys
        if (hasWindows) {
            validateForMomentRetrieval(submission, groundTruth);
            Map<String, SplitScores> bySplit = new TreeMap<>(); // output keys sorted: full, long, middle, short
            for (LengthSplit split : ranges) {
                List<GroundTruthEntry> g = split.filterGroundTruth(groundTruth);
                List<SubmissionEntry> s = split.filterSubmission(submission, g);
                bySplit.put(split.key, MomentRetrievalEvaluation.evaluate(s, g, split.key));
            }
            mr.putAll(bySplit);
            SplitScores full = bySplit.get("full");
            briefMr.put("MR-full-mAP", full.map().get("average"));
            briefMr.put("MR-full-mAP@0.5", full.map().get("0.5"));
            briefMr.put("MR-full-mAP@0.75", full.map().get("0.75"));
            for (String range : new String[] {"short", "middle", "long"}) {
                if (bySplit.containsKey(range)) briefMr.put("MR-" + range + "-mAP", bySplit.get(range).map().get("average"));
            }
            briefMr.put("MR-full-R1@0.5", full.recallAt1().get("0.5"));
            briefMr.put("MR-full-R1@0.7", full.recallAt1().get("0.7"));
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

    /** A submission and the ground truth it is scored against. */
    record Matched(List<SubmissionEntry> submission, List<GroundTruthEntry> groundTruth) {}

    /**
     * The official qid handling, shared by every evaluator: with matchNumber the qid sets must be equal, without it
     * both sides keep only their common qids; either way there must be something left to score.
     */
    static Matched match(List<SubmissionEntry> submission, List<GroundTruthEntry> groundTruth, boolean matchNumber) {
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
        return new Matched(submission, groundTruth);
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
