package trdetr.inference;

import trdetr.train.MemorySpread;
import java.util.ArrayList;
import java.util.List;
import trdetr.autograd.GradMode;
import trdetr.backend.Backend;
import trdetr.backend.MemoryScope;
import trdetr.data.Batch;
import trdetr.data.DataLoader;
import trdetr.eval.ScoringRecipe;
import trdetr.eval.PredictionPostProcessor;
import trdetr.eval.QueryOutputs;
import trdetr.eval.SubmissionLine;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrOutput;

/**
 * Runs a model over an evaluation split (eval mode, no gradients, file order, the eval batch size) and turns its
 * outputs into submission lines (spec §6): foreground probability per query, windows, saliency — the fields the
 * dataset's {@link ScoringRecipe} scores.
 */
public final class Predictor {
    private final ScoringRecipe scoring;
    private final PredictionPostProcessor post;
    private final double nmsThreshold;
    private final int maxBeforeNms, maxAfterNms;

    public Predictor(ScoringRecipe scoring, PredictionPostProcessor post, double nmsThreshold, int maxBeforeNms, int maxAfterNms) {
        this.scoring = scoring;
        this.post = post;
        this.nmsThreshold = nmsThreshold;
        this.maxBeforeNms = maxBeforeNms;
        this.maxAfterNms = maxAfterNms;
    }

    /** The official settings (QVHighlights: clip 2, [0, 150] s; no NMS), or the scoring's own post-processing. */
    public static Predictor of(ScoringRecipe scoring, double clipLength) {
        return new Predictor(scoring, scoring.postProcessor(clipLength), -1, 10, 10);
    }

    public List<SubmissionLine> predict(TrDetr model, DataLoader loader) { return predict(model, loader, null); }

    /** As {@link #predict(TrDetr, DataLoader)}, also adding every batch's memory to {@code spread} (when not null). */
    public List<SubmissionLine> predict(TrDetr model, DataLoader loader, MemorySpread spread) {
        boolean wasTraining = model.isTraining();
        model.eval();
        List<SubmissionLine> lines = new ArrayList<>();
        Backend backend = model.backend();
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (Batch hostBatch : loader.epoch(0)) {
                // One memory scope per batch: its device buffers go back once its lines are on the host.
                try (MemoryScope scope = backend.openScope()) {
                    Batch batch = hostBatch.to(backend);
                    TrDetrOutput out = model.forward(batch.srcTxt(), batch.srcTxtMask(), batch.srcVid(), batch.srcVidMask(), batch.srcAud());
                    lines.addAll(lines(batch, out));
                    if (spread != null) addMemory(spread, batch, out);
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return lines;
    }

    private static void addMemory(MemorySpread spread, Batch batch, TrDetrOutput out) {
        int[] valid = new int[batch.size()];
        for (int i = 0; i < valid.length; i++) valid[i] = batch.validLength(i);
        spread.add(out.memory().toFloatArray(), out.memory().size(1), out.memory().size(2), valid);
    }

    List<SubmissionLine> lines(Batch batch, TrDetrOutput out) {
        int b = batch.size(), q = out.predLogits().size(1), lv = out.saliency().size(1);
        float[] fg = out.predLogits().softmax(-1).select(2, 0).toFloatArray();       // (B, Q)
        float[] spans = out.predSpans().toFloatArray();                              // (B, Q, 2)
        float[] saliency = out.saliency().toFloatArray();                            // (B, Lv)
        List<SubmissionLine> lines = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            float[] f = new float[q];
            float[][] s = new float[q][2];
            for (int k = 0; k < q; k++) {
                f[k] = fg[i * q + k];
                s[k][0] = spans[(i * q + k) * 2];
                s[k][1] = spans[(i * q + k) * 2 + 1];
            }
            float[] sal = java.util.Arrays.copyOfRange(saliency, i * lv, (i + 1) * lv);
            var a = batch.annotation(i);
            SubmissionLine line = scoring.line(new QueryOutputs(a.qidJson(), a.query(), a.vid(), a.duration(), f, s, sal, batch.validLength(i)), post);
            lines.add(PredictionPostProcessor.applyNms(line, nmsThreshold, maxBeforeNms, maxAfterNms));
        }
        return lines;
    }

}
