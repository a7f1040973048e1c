package trdetr.data;

/**
 * What makes an annotation row meaningful beyond its JSON types (docs/data-validation.md lists each rule with what
 * the official code does instead). The official loader and evaluator check none of this: a reversed window becomes
 * a negative-width span target, a clip id past the video an IndexError in the evaluator after a whole training
 * epoch, a repeated qid a silent merge. Each rule returns null when the value is fine, else what is wrong, for the
 * caller to prefix with the file, line and qid. Shared by {@link AnnotationReader} and the {@code eval} command's
 * checks of a ground-truth file, so both refuse the same rows with the same words.
 */
public final class AnnotationRules {
    private AnnotationRules() {}

    /** QVHighlights: scores per relevant clip (saliency_scores row width); the official evaluator builds (clips, 3) arrays. */
    public static final int ANNOTATORS = 3;
    /** QVHighlights saliency scores run from 0 (very bad) to 4 (very good). */
    public static final int MAX_SCORE = 4;
    /** Seconds per relevant_clip_ids clip in the QVHighlights format; the official evaluator hard-codes 2. */
    public static final double CLIP_SECONDS = 2;

    public static String duration(double duration) {
        if (Double.isNaN(duration) || Double.isInfinite(duration)) return "duration " + num(duration) + " is not a number of seconds";
        return duration > 0 ? null : "duration " + num(duration) + " is not positive";
    }

    /**
     * A ground-truth window: 0 ≤ start < end ≤ duration. Zero length is refused too: as a training target it is a
     * span of width 0, and in the official evaluator its IoU with a zero-length prediction is 0/0 = NaN, which counts
     * as a match. Pass a NaN duration when the row has none.
     */
    public static String window(double start, double end, double duration) {
        String w = "window [" + num(start) + ", " + num(end) + "]";
        // NaN fails no comparison, so it is refused first; the eval reader accepts NaN and Infinity as JSON numbers.
        if (!Double.isFinite(start) || !Double.isFinite(end)) return w + " is not a pair of finite numbers";
        if (start > end) return w + " has start > end";
        if (start == end) return w + " has zero length";
        if (start < 0) return w + " starts before 0";
        if (end > duration) return w + " ends after the video (duration " + num(duration) + ")";
        return null;
    }

    /**
     * relevant_clip_ids: each a clip of the video, 0 ≤ id < int(duration / 2) (the official evaluator's
     * {@code mk_gt_scores} indexes an array of that many clips), none repeated (two score rows for one clip).
     */
    public static String clipIds(long[] ids, double duration) {
        long clips = (long) (duration / CLIP_SECONDS);
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= clips) {
                return "relevant_clip_ids entry " + i + " (" + ids[i] + ") is not a clip of the video (duration " + num(duration)
                        + " has clips 0.." + (clips - 1) + ")";
            }
            if (!seen.add(ids[i])) return "relevant_clip_ids entry " + i + " repeats clip " + ids[i];
        }
        return null;
    }

    /** saliency_scores: one row per relevant clip, each with one score per annotator, each score in 0..MAX_SCORE. */
    public static String saliencyRows(int rows, int clipIds) {
        return rows == clipIds ? null : "saliency_scores has " + rows + " rows but relevant_clip_ids has " + clipIds;
    }

    public static String saliencyRow(int row, double[] scores) {
        if (scores.length != ANNOTATORS) {
            return "saliency_scores row " + row + " has " + scores.length + " scores, expected one per annotator (" + ANNOTATORS + ")";
        }
        for (int j = 0; j < scores.length; j++) {
            if (!(scores[j] >= 0 && scores[j] <= MAX_SCORE && scores[j] == Math.rint(scores[j]))) {
                return "saliency_scores row " + row + " score " + j + " is " + num(scores[j]) + ", expected an integer 0.." + MAX_SCORE;
            }
        }
        return null;
    }

    /** TVSum's annotators per clip; their scores run from 1 to 5. */
    public static final int TVSUM_ANNOTATORS = 20, TVSUM_MAX_SCORE = 5;

    /**
     * A TVSum label: one row per clip, each with the 20 annotators' integer scores 1..5. The official labels sum
     * {@code label − 1} over the annotators into 0..80 and scale by 12/80 (spec §5.3), so another width or range would
     * silently rescale the saliency targets; every official row has this shape.
     */
    public static String tvsumLabel(double[][] label) {
        if (label.length == 0) return "label has no rows (one per clip expected)";
        for (int i = 0; i < label.length; i++) {
            if (label[i].length != TVSUM_ANNOTATORS) {
                return "label row " + i + " has " + label[i].length + " scores, expected one per annotator (" + TVSUM_ANNOTATORS + ")";
            }
            for (int j = 0; j < label[i].length; j++) {
                double v = label[i][j];
                if (!(v >= 1 && v <= TVSUM_MAX_SCORE && v == Math.rint(v))) {
                    return "label row " + i + " score " + j + " is " + num(v) + ", expected an integer 1.." + TVSUM_MAX_SCORE;
                }
            }
        }
        return null;
    }

    /** "qid Q is repeated (first at WHERE)": every format keys features or scores by qid. */
    public static String repeatedQid(String qid, String firstAt) {
        return "qid " + qid + " is repeated (first at " + firstAt + ")";
    }

    /** A number as the JSON file most likely wrote it: 30 rather than 30.0. */
    public static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
