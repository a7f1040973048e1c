package trdetr.train;

import java.util.LinkedHashMap;
import java.util.Map;
import trdetr.backend.Backend;
import trdetr.backend.MemoryScope;
import trdetr.data.Batch;
import trdetr.loss.TrDetrCriterion;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrOutput;
import trdetr.tensor.Tensor;

/**
 * One optimisation step on one batch: move it to the model's device, forward, total loss, backward, gradient-norm
 * clipping, AdamW — all inside one {@link MemoryScope}, so on a GPU every activation, saved tensor, gradient and
 * temporary of the step is released when it ends and device memory stays flat from step to step. What outlives the
 * step: the parameters (updated in place, allocated before any step) and AdamW's moments (created in the first step,
 * so kept explicitly). Gradients do not: they are consumed by the step and dropped at its end (the next step would
 * zero them before its backward anyway), so nothing refers to a released buffer afterwards.
 */
public final class TrainingStep {
    private final TrDetr model;
    private final TrDetrCriterion criterion;
    private final AdamW optimizer;
    private final double gradClip;

    /** @param gradClip the max gradient norm; 0 or less: no clipping */
    public TrainingStep(TrDetr model, TrDetrCriterion criterion, AdamW optimizer, double gradClip) {
        this.model = model;
        this.criterion = criterion;
        this.optimizer = optimizer;
        this.gradClip = gradClip;
    }

    /** Runs the step; returns the loss terms as host numbers, "loss_overall" first. */
    public Map<String, Double> run(Batch hostBatch) {
        Backend backend = model.backend();
        try (MemoryScope scope = backend.openScope()) {
            Batch batch = hostBatch.to(backend);
            TrDetrOutput out = model.forward(batch.srcTxt(), batch.srcTxtMask(), batch.srcVid(), batch.srcVidMask(), batch.srcAud());
            TrDetrCriterion.Result loss = criterion.compute(out, batch.targets(), batch.srcTxtMask());
            optimizer.zeroGrad();
            loss.total().backward();
            if (gradClip > 0) GradientClipping.clipGradNorm(model.parameters(), gradClip);
            optimizer.step();
            optimizer.keepState(scope);
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("loss_overall", loss.total().item());
            for (Map.Entry<String, Tensor> e : loss.terms().entrySet()) values.put(e.getKey(), e.getValue().item());
            optimizer.zeroGrad();
            return values;
        }
    }
}
