package trdetr.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import trdetr.pyexact.Float16;
import trdetr.pyexact.PythonFloats;

/**
 * Turns one query's model outputs into the official submission line ({@code compute_mr_results} followed by
 * {@code PostProcessorDETR}), number for number:
 *
 * <ol>
 *   <li>windows {@code (c − 0.5·w, c + 0.5·w) · duration}, all in float32 (the duration is cast to float32 first);</li>
 *   <li>rows [st, ed, score] stably sorted by descending score (unless sorting is off, {@code --no_sort_results});</li>
 *   <li>every number rounded to 4 decimals ({@code float(f"{x:.4f}")});</li>
 *   <li>st and ed back to float32, clamped to [minTs, maxTs] (a -0.0 stays -0.0, as torch.clamp leaves it), divided by
 *       the clip length, rounded half-to-even, multiplied back (float32); the score through float32 and rounded to 4
 *       decimals again. The official code hard-codes clip length 2 and max 150 s for every dataset, hence the
 *       defaults; windows are not clamped to the video's own duration and may end up empty;</li>
 *   <li>saliency rounded to fp16 ({@link Float16}) and cut to the valid length.</li>
 * </ol>
 * NMS (off in the official runs) is a separate step: {@link #applyNms}.
 */
public final class PredictionPostProcessor {
    /** The official post-processor settings. */
    public static final double DEFAULT_CLIP_LENGTH = 2, DEFAULT_MIN_TS = 0, DEFAULT_MAX_TS = 150;

    private final float clipLength, minTs, maxTs;
    private final boolean sortByScore;

    /** The official settings: clip length 2, timestamps clamped to [0, 150], rows sorted by score. */
    public PredictionPostProcessor() {
        this(DEFAULT_CLIP_LENGTH, DEFAULT_MIN_TS, DEFAULT_MAX_TS, true);
    }

    public PredictionPostProcessor(double clipLength, double minTs, double maxTs, boolean sortByScore) {
        if (!(clipLength > 0)) throw new IllegalArgumentException("clip length must be positive");
        if (!(minTs <= maxTs)) throw new IllegalArgumentException("minTs must not exceed maxTs");
        this.clipLength = (float) clipLength;
        this.minTs = (float) minTs;
        this.maxTs = (float) maxTs;
        this.sortByScore = sortByScore;
    }

    /** Steps 1–5 for one query. */
    public SubmissionLine process(QueryOutputs q) {
        float duration = (float) q.duration();
        List<double[]> rows = new ArrayList<>(q.foreground().length);
        for (int i = 0; i < q.foreground().length; i++) {
            float c = q.spans()[i][0], w = q.spans()[i][1];
            float half = 0.5f * w;
            float st = (c - half) * duration;
            float ed = (c + half) * duration;
            rows.add(new double[] {st, ed, q.foreground()[i]});
        }
        if (sortByScore) rows.sort(Comparator.comparingDouble((double[] r) -> r[2] + 0.0).reversed());
        List<double[]> windows = new ArrayList<>(rows.size());
        for (double[] r : rows) {
            double st = PythonFloats.roundDecimals(r[0], 4);
            double ed = PythonFloats.roundDecimals(r[1], 4);
            double score = PythonFloats.roundDecimals(r[2], 4);
            windows.add(new double[] {snap((float) st), snap((float) ed), PythonFloats.roundDecimals((float) score, 4)});
        }
        double[] saliency = new double[q.validLength()];
        for (int j = 0; j < saliency.length; j++) saliency[j] = Float16.round(q.saliency()[j]);
        return new SubmissionLine(q.qid(), q.query(), q.vid(), windows, saliency);
    }

    /** Clamp to [minTs, maxTs], then the nearest multiple of the clip length (half to even), in float32. */
    float snap(float x) {
        float clamped = x < minTs ? minTs : (x > maxTs ? maxTs : x);
        float r = (float) Math.rint(clamped / clipLength);
        return r * clipLength;
    }

    /**
     * {@code post_processing_mr_nms}: the line with its windows passed through {@link TemporalNms}; returned unchanged
     * when the threshold is -1 (the official "off") or the line has no windows.
     */
    public static SubmissionLine applyNms(SubmissionLine line, double nmsThreshold, int maxBeforeNms, int maxAfterNms) {
        if (nmsThreshold == -1 || line.windows() == null) return line;
        return new SubmissionLine(line.qid(), line.query(), line.vid(),
                TemporalNms.apply(line.windows(), nmsThreshold, maxBeforeNms, maxAfterNms), line.saliency());
    }
}
