package trdetr.spark;

import java.io.Serializable;

/**
 * How the executors predict: the device, the eval batch size, the post-processing of {@code trdetr predict}
 * (NMS threshold, windows before and after it), whether bad rows are skipped, and the CPU threads per task
 * (0: the cores Spark gives a task, spark.task.cpus).
 */
public record PredictionSettings(String device, int evalBsz, double nmsThd, int maxBeforeNms, int maxAfterNms, boolean skipBad, int threads)
        implements Serializable {
    /** {@code trdetr predict}'s defaults on the CPU: batches of 100, no NMS, 10 windows, stop on a bad row. */
    public static PredictionSettings defaults() { return new PredictionSettings("cpu", 100, -1, 10, 10, false, 0); }

    public PredictionSettings {
        if (evalBsz <= 0) throw new IllegalArgumentException("--eval-bsz must be positive, got " + evalBsz);
        if (threads < 0) throw new IllegalArgumentException("--threads must be ≥ 0, got " + threads);
    }

    public PredictionSettings withSkipBad(boolean on) { return new PredictionSettings(device, evalBsz, nmsThd, maxBeforeNms, maxAfterNms, on, threads); }

    public PredictionSettings withDevice(String d) { return new PredictionSettings(d, evalBsz, nmsThd, maxBeforeNms, maxAfterNms, skipBad, threads); }
}
