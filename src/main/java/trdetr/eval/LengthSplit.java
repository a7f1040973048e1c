package trdetr.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The moment-length splits of the official evaluator: a ground-truth window belongs to a split when its length
 * (end − start) lies in (min, max]. For a split, each query keeps only its windows in range, queries left with none
 * are dropped, and only the submissions of the remaining qids are kept (in submission order). "full" is (0, 150]
 * but is returned unfiltered, so zero-length and over-long windows count there and nowhere else.
 *
 * <p>Lighthouse's evaluator, which we use for Charades-STA (the official code has no path for it), has a single
 * range, "full" = (0, 1500], filtered like the others: its videos are about 30 s long, so the official "long" range
 * would be empty and the official evaluator would fail on it.
 */
public enum LengthSplit {
    SHORT("short", 0, 10), MIDDLE("middle", 10, 30), LONG("long", 30, 150), FULL("full", 0, 150),
    /** Lighthouse's only range (same key as {@link #FULL}; the two are never used together). */
    LIGHTHOUSE_FULL("full", 0, 1500);

    /** The ranges of the official evaluator, in its order. */
    public static final List<LengthSplit> OFFICIAL = List.of(SHORT, MIDDLE, LONG, FULL);
    /** The range of Lighthouse's evaluator. */
    public static final List<LengthSplit> LIGHTHOUSE = List.of(LIGHTHOUSE_FULL);

    public final String key;
    public final double min, max;

    LengthSplit(String key, double min, double max) {
        this.key = key;
        this.min = min;
        this.max = max;
    }

    /** Whether the evaluator skips filtering: exactly the dataset's whole range (0, 150). */
    public boolean unfiltered() {
        return min == 0 && max == 150;
    }

    /** The ground truth of this split. */
    public List<GroundTruthEntry> filterGroundTruth(List<GroundTruthEntry> gt) {
        if (unfiltered()) return gt;
        List<GroundTruthEntry> out = new ArrayList<>();
        for (GroundTruthEntry d : gt) {
            List<double[]> kept = new ArrayList<>();
            for (double[] w : d.relevantWindows()) {
                double len = w[1] - w[0];
                if (min < len && len <= max) kept.add(w);
            }
            if (!kept.isEmpty()) {
                out.add(new GroundTruthEntry(d.qid(), d.duration(), kept, d.relevantClipIds(), d.saliencyScores(), d.label(), d.domain(), d.source()));
            }
        }
        return out;
    }

    /** The submissions whose qid is among the split's ground truth. */
    public List<SubmissionEntry> filterSubmission(List<SubmissionEntry> submission, List<GroundTruthEntry> splitGt) {
        if (unfiltered()) return submission;
        Set<Qid> qids = new LinkedHashSet<>();
        for (GroundTruthEntry d : splitGt) qids.add(d.qid());
        List<SubmissionEntry> out = new ArrayList<>();
        for (SubmissionEntry s : submission) if (qids.contains(s.qid())) out.add(s);
        return out;
    }
}
