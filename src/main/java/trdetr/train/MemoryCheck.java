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
 * Whether memory stays flat over many training steps: a small TR-DETR trains on the batches of one epoch of a tiny
 * demo dataset, cycled, through the real {@link TrainingStep}, and what is in use is read after every step.
 *
 * <p>On the GPU that is the allocator's bytes in use and peak. With every step inside one memory scope, what is in
 * use between steps is the parameters and AdamW's moments, the same after step 10 as after step 1,000, to the byte;
 * a buffer that escaped the scope would be freed only by the garbage collector, and the count would drift.
 *
 * <p>On the CPU it is the live Java heap: the heap in use right after a full collection ({@code System.gc()}, which
 * HotSpot's collectors honour) after every step. Anything a step kept reachable (a graph, a cache, a tensor held by a
 * module) would add to it step after step. The JVM itself moves it by a few kilobytes (JIT and class-loading
 * metadata that lives on the heap), so the CPU check allows {@link #HEAP_SLACK_BYTES}: a leak of one 256×8 float
 * tensor per step would exceed it within the first 100 steps.
 */
public final class MemoryCheck {
    private MemoryCheck() {}

    /** Growth of the live heap the CPU check allows between the settled step and the last (see the class comment). */
    public static final long HEAP_SLACK_BYTES = 1 << 20;

    /** Bytes in use and peak bytes in use after each step (index 0 is step 1), and the growth allowed. */
    public record Result(long[] inUse, long[] peak, long slack, String what) {
        public int steps() { return inUse.length; }

        public long inUseAfter(int step) { return inUse[step - 1]; }

        public long peakAfter(int step) { return peak[step - 1]; }

        /** Min and max of the bytes in use after the steps from..to (1-based, inclusive). */
        public long[] inUseRange(int from, int to) {
            long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
            for (int s = from; s <= to; s++) { min = Math.min(min, inUse[s - 1]); max = Math.max(max, inUse[s - 1]); }
            return new long[] {min, max};
        }

        /** Flat: the bytes in use after every step from `settled` on within `slack` of each other, no higher peak. */
        public boolean isFlat(int settled) {
            long[] r = inUseRange(settled, steps());
            return r[1] - r[0] <= slack && peakAfter(steps()) - peakAfter(settled) <= slack;
        }

        public String summary(int settled) {
            long[] r = inUseRange(settled, steps());
            return what + String.format(": in use after step %d: %,d bytes; after step %d: %,d bytes; min %,d / max %,d over steps %d..%d; "
                            + "peak after step %d: %,d bytes, after step %d: %,d bytes", settled, inUseAfter(settled), steps(),
                    inUseAfter(steps()), r[0], r[1], settled, steps(), settled, peakAfter(settled), steps(), peakAfter(steps()));
        }
    }

    /** The Java heap in use right after a full collection. */
    private static long liveHeapBytes() {
        System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** A small model: the official width (hidden 256 is fixed by the decoder's sine embedding), fewer layers and queries. */
    static TrDetrConfig config(int videoDim, int textDim) {
        return TrDetrConfig.fromOptions(Map.of("hidden_dim", 256, "nheads", 8, "enc_layers", 1, "dec_layers", 2,
                "dim_feedforward", 64, "num_queries", 4, "v_feat_dim", videoDim, "t_feat_dim", textDim));
    }

    /**
     * Trains for `steps` steps on the backend: the GPU's allocator or the CPU's live heap is read after each.
     *
     * @param demoDir where the tiny demo dataset is generated (or found)
     */
    public static Result run(Backend backend, int steps, Path demoDir) throws IOException {
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
            CudaBackend cuda = backend instanceof CudaBackend c ? c : null;
            if (cuda != null) cuda.resetPeak();
            long[] inUse = new long[steps], peak = new long[steps];
            for (int i = 0; i < steps; i++) {
                double loss = step.run(batches.get(i % batches.size())).get("loss_overall");
                if (!Double.isFinite(loss)) throw new IllegalStateException("step " + (i + 1) + ": the loss is " + loss);
                inUse[i] = cuda != null ? cuda.bytesInUse() : liveHeapBytes();
                peak[i] = cuda != null ? cuda.peakBytesInUse() : Math.max(inUse[i], i == 0 ? 0 : peak[i - 1]);
            }
            return cuda != null ? new Result(inUse, peak, 0, "device memory (allocator)")
                    : new Result(inUse, peak, HEAP_SLACK_BYTES, "live Java heap (after a full GC)");
        } finally {
            Tensor.setDefaultBackend(previous);
        }
    }
}
