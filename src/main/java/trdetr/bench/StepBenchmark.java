package trdetr.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.backend.Backend;

/**
 * Times full training steps (forward, total loss, backward, gradient clipping, AdamW: the official train_epoch body)
 * and forward-only passes (eval mode, no autograd) of the released TR-DETR configuration on a {@link SyntheticBatch},
 * after warm-up, through the trainer's own {@link trdetr.train.TrainingStep} (which moves the host batch to the device,
 * as in training), set up by {@link StepWorkload}. Each step and pass ends with a device synchronisation, so GPU work
 * is inside the time. The same measurement for the official PyTorch code is tools/bench_pytorch.py. The heap in use
 * after the latest collection ({@link PeakMemory#heapAfterGcMb}: live data, plus old-generation garbage that only a
 * later old collection frees) is sampled after every step; its maximum is reported.
 */
public final class StepBenchmark {
    /** What to time. */
    public record Settings(int bsz, int lv, int lt, int videoDim, int textDim, int warmup, int steps, int forwards, long seed) {}

    /** Seconds per step and per forward pass, in run order. */
    public record Result(double[] stepSeconds, double[] forwardSeconds, double firstLoss, double lastLoss, double heapAfterGcMb) {
        public Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("median_step_s", median(stepSeconds));
            m.put("min_step_s", Arrays.stream(stepSeconds).min().orElse(Double.NaN));
            m.put("max_step_s", Arrays.stream(stepSeconds).max().orElse(Double.NaN));
            m.put("median_forward_s", median(forwardSeconds));
            m.put("min_forward_s", Arrays.stream(forwardSeconds).min().orElse(Double.NaN));
            m.put("heap_after_gc_mb", heapAfterGcMb);
            return m;
        }
    }

    private StepBenchmark() {}

    public static Result run(Backend backend, Settings s) {
        try (StepWorkload w = StepWorkload.open(backend, s.bsz(), s.lv(), s.lt(), s.videoDim(), s.textDim(), s.seed())) {
            List<Double> losses = new ArrayList<>();
            double[] heapAfterGc = {0};
            double[] steps = timed(s.warmup(), s.steps(), () -> {
                losses.add(w.trainStep());
                heapAfterGc[0] = Math.max(heapAfterGc[0], PeakMemory.heapAfterGcMb());
            });
            double[] forwards = timed(s.warmup(), s.forwards(), w::forward);
            return new Result(steps, forwards, losses.get(0), losses.get(losses.size() - 1), heapAfterGc[0]);
        }
    }

    /** Seconds of each of `timed` runs of work after `warmup` untimed ones. */
    private static double[] timed(int warmup, int timed, Runnable work) {
        double[] seconds = new double[timed];
        for (int i = 0; i < warmup + timed; i++) {
            long t0 = System.nanoTime();
            work.run();
            if (i >= warmup) seconds[i - warmup] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }

    static double median(double[] v) {
        if (v.length == 0) return Double.NaN;
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
