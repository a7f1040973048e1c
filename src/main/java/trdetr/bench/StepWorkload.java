package trdetr.bench;

import trdetr.autograd.GradMode;
import trdetr.backend.Backend;
import trdetr.backend.MemoryScope;
import trdetr.data.Batch;
import trdetr.loss.TrDetrCriterion;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;
import trdetr.train.AdamW;
import trdetr.train.TrainingStep;

/**
 * The released TR-DETR, its trainer step and one {@link SyntheticBatch}, set up on a backend: the unit of work that
 * {@link StepBenchmark} (the {@code bench step} command) and the JMH benchmarks in bench/ time. Model code creates
 * some tensors on {@link Tensor#defaultBackend()}, so opening a workload makes its backend the default until
 * {@link #close()} restores the previous one.
 */
public final class StepWorkload implements AutoCloseable {
    private final Backend backend;
    private final Backend previousDefault;
    private final TrDetr model;
    private final TrainingStep step;
    private final Batch hostBatch;
    private final Batch deviceBatch;

    private StepWorkload(Backend backend, int bsz, int lv, int lt, int videoDim, int textDim, long seed) {
        this.backend = backend;
        this.previousDefault = Tensor.setDefaultBackend(backend);
        Generator g = new Generator(seed);
        TrDetrConfig config = TrDetrConfig.released();
        model = new TrDetr(config, g, DType.FLOAT32);
        hostBatch = SyntheticBatch.create(g, bsz, lv, lt, videoDim, textDim);
        deviceBatch = hostBatch.to(backend);
        step = new TrainingStep(model, new TrDetrCriterion(config), AdamW.of(model.namedParameters(), 1e-4, 1e-4), 0.1);
    }

    /** The released model (seeded) and a batch of bsz samples padded to (lv, lt) with the given feature sizes. */
    public static StepWorkload open(Backend backend, int bsz, int lv, int lt, int videoDim, int textDim, long seed) {
        return new StepWorkload(backend, bsz, lv, lt, videoDim, textDim, seed);
    }

    /**
     * One training step (train mode) through the trainer's {@link TrainingStep}, which moves the host batch to the
     * device as training does; returns the total loss (read back to the host, so the device work is inside the call).
     */
    public double trainStep() {
        model.train(true);
        double loss = step.run(hostBatch).get("loss_overall");
        backend.synchronize();
        return loss;
    }

    /**
     * One forward pass in eval mode without autograd on the batch already on the device (moved there once, when the
     * workload was opened); its activations are released when it returns, after a device synchronisation.
     */
    public void forward() {
        model.train(false);
        Batch b = deviceBatch;
        try (GradMode.Scope ignored = GradMode.noGrad(); MemoryScope scope = backend.openScope()) {
            model.forward(b.srcTxt(), b.srcTxtMask(), b.srcVid(), b.srcVidMask(), null);
            backend.synchronize();
        }
    }

    public Backend backend() { return backend; }

    /** Restores the default backend that was in place when this workload was opened. */
    @Override public void close() { Tensor.setDefaultBackend(previousDefault); }
}
