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
 * is inside the time. The same measurement for the official PyTorch code is tools/bench_pytorch.py.
 */
public final class StepBenchmark {
    /** What to time. */
    public record Settings(int bsz, int lv, int lt, int videoDim, int textDim, int warmup, int steps, int forwards, long seed) {}

    /** Seconds per step and per forward pass, in run order. */
    public record Result(double[] stepSeconds, double[] forwardSeconds, double firstLoss, double lastLoss) {
        public Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("median_step_s", median(stepSeconds));
            m.put("min_step_s", Arrays.stream(stepSeconds).min().orElse(Double.NaN));
            m.put("max_step_s", Arrays.stream(stepSeconds).max().orElse(Double.NaN));
            m.put("median_forward_s", median(forwardSeconds));
            m.put("min_forward_s", Arrays.stream(forwardSeconds).min().orElse(Double.NaN));
            return m;
        }
    }

    private StepBenchmark() {}

    public static Result run(Backend backend, Settings s) {
        try (StepWorkload w = StepWorkload.open(backend, s.bsz(), s.lv(), s.lt(), s.videoDim(), s.textDim(), s.seed())) {
            List<Double> losses = new ArrayList<>();
            double[] steps = new double[s.steps()];
            for (int i = 0; i < s.warmup() + s.steps(); i++) {
                long t0 = System.nanoTime();
                losses.add(w.trainStep());
                if (i >= s.warmup()) steps[i - s.warmup()] = (System.nanoTime() - t0) / 1e9;
            }
            double[] forwards = new double[s.forwards()];
            for (int i = 0; i < s.warmup() + s.forwards(); i++) {
                long t0 = System.nanoTime();
                w.forward();
                if (i >= s.warmup()) forwards[i - s.warmup()] = (System.nanoTime() - t0) / 1e9;
            }
            return new Result(steps, forwards, losses.get(0), losses.get(losses.size() - 1));
        }
    }

    static double median(double[] v) {
        if (v.length == 0) return Double.NaN;
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
