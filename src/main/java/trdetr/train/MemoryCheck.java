package trdetr.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import trdetr.backend.Backend;
import trdetr.backend.cuda.CudaBackend;
import trdetr.data.Batch;
import trdetr.data.DataLoader;
import trdetr.data.DemoDataset;
import trdetr.data.MomentDataset;
import trdetr.loss.TrDetrCriterion;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * Whether device memory stays flat over many training steps: a small TR-DETR trains on the batches of one epoch of
 * a tiny demo dataset, cycled, through the real {@link TrainingStep}, and the allocator's bytes in use and peak are
 * read after every step. With every step inside one memory scope, what is in use between steps is the parameters
 * and AdamW's moments, the same after step 10 as after step 1,000; a buffer that escapes the scope would instead be
 * freed only by the garbage collector, and the count would drift.
 */
public final class MemoryCheck {
    private MemoryCheck() {}

    /** Bytes in use and peak bytes in use after each step (index 0 is step 1). */
    public record Result(long[] inUse, long[] peak) {
        public int steps() { return inUse.length; }

        public long inUseAfter(int step) { return inUse[step - 1]; }

        public long peakAfter(int step) { return peak[step - 1]; }

        /** Min and max of the bytes in use after the steps from..to (1-based, inclusive). */
        public long[] inUseRange(int from, int to) {
            long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
            for (int s = from; s <= to; s++) { min = Math.min(min, inUse[s - 1]); max = Math.max(max, inUse[s - 1]); }
            return new long[] {min, max};
        }

        /** Flat: the same bytes in use after every step from `settled` on, and no new peak after it. */
        public boolean isFlat(int settled) {
            long[] r = inUseRange(settled, steps());
            return r[0] == r[1] && peakAfter(steps()) == peakAfter(settled);
        }

        public String summary(int settled) {
            long[] r = inUseRange(settled, steps());
            return String.format("in use after step %d: %,d bytes; after step %d: %,d bytes; min %,d / max %,d over steps %d..%d; "
                            + "peak after step %d: %,d bytes, after step %d: %,d bytes", settled, inUseAfter(settled), steps(),
                    inUseAfter(steps()), r[0], r[1], settled, steps(), settled, peakAfter(settled), steps(), peakAfter(steps()));
        }
    }

    /** A small model: the official width (hidden 256 is fixed by the decoder's sine embedding), fewer layers and queries. */
    static TrDetrConfig config(int videoDim, int textDim) {
        return TrDetrConfig.fromOptions(Map.of("hidden_dim", 256, "nheads", 8, "enc_layers", 1, "dec_layers", 2,
                "dim_feedforward", 64, "num_queries", 4, "v_feat_dim", videoDim, "t_feat_dim", textDim));
    }

    /**
     * Trains for `steps` steps on the GPU.
     *
     * @param demoDir where the tiny demo dataset is generated (or found)
     */
    public static Result run(CudaBackend backend, int steps, Path demoDir) throws IOException {
        DemoDataset.Layout layout = DemoDataset.ensure(demoDir, DemoDataset.Settings.defaults().withSizes(12, 4));
        MomentDataset data = MomentDataset.open(layout.options("train"));
        List<Batch> batches = new ArrayList<>();
        try (DataLoader loader = DataLoader.training(data, 4, 7)) {
            for (Batch b : loader.epoch(0)) batches.add(b);
        }
        TrDetrConfig config = config(data.videoDim(), data.textDim());
        Backend previous = Tensor.setDefaultBackend(backend);
        try {
            TrDetr model = new TrDetr(config, new Generator(7), DType.FLOAT32);
            AdamW optimizer = AdamW.of(model.namedParameters(), 1e-4, 1e-4);
            TrainingStep step = new TrainingStep(model, new TrDetrCriterion(config), optimizer, 0.1);
            backend.resetPeak();
            long[] inUse = new long[steps], peak = new long[steps];
            for (int i = 0; i < steps; i++) {
                double loss = step.run(batches.get(i % batches.size())).get("loss_overall");
                if (!Double.isFinite(loss)) throw new IllegalStateException("step " + (i + 1) + ": the loss is " + loss);
                inUse[i] = backend.bytesInUse();
                peak[i] = backend.peakBytesInUse();
            }
            return new Result(inUse, peak);
        } finally {
            Tensor.setDefaultBackend(previous);
        }
    }
}
