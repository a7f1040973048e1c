package trdetr.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.data.DataLoader;
import trdetr.eval.EvaluationResult;
import trdetr.eval.GroundTruthEntry;
import trdetr.eval.StandaloneEvaluator;
import trdetr.eval.SubmissionLine;
import trdetr.eval.SubmissionWriter;
import trdetr.model.TrDetr;
import trdetr.train.Validation;

/**
 * QVHighlights-style validation: predictions for the split written as latest_{split}_preds.jsonl (and its
 * _metrics.json), scored by the official evaluator; the best model is chosen by MR-full-mAP, as the official run.
 */
public final class MomentValidation implements Validation {
    private final DataLoader loader;
    private final List<GroundTruthEntry> groundTruth;
    private final Path resultsDir;
    private final String split;
    private final Predictor predictor;
    private final String selectBy;

    public MomentValidation(DataLoader loader, Path groundTruthFile, Path resultsDir, String split, Predictor predictor, String selectBy) throws IOException {
        this.loader = loader;
        this.groundTruth = StandaloneEvaluator.readGroundTruth(groundTruthFile);
        this.resultsDir = resultsDir;
        this.split = split;
        this.predictor = predictor;
        this.selectBy = selectBy;
    }

    @Override public Map<String, Object> evaluate(TrDetr model, int epoch) throws IOException {
        List<SubmissionLine> lines = predictor.predict(model, loader);
        Path preds = resultsDir.resolve("latest_" + split + "_preds.jsonl");
        SubmissionWriter.write(preds, lines);
        EvaluationResult result = StandaloneEvaluator.evaluate(lines.stream().map(SubmissionLine::toEntry).toList(), groundTruth, true);
        trdetr.eval.AtomicFiles.writeString(resultsDir.resolve("latest_" + split + "_preds_metrics.json"), result.toJson());
        return new LinkedHashMap<>(result.brief());
    }

    @Override public double score(Map<String, Object> metrics) {
        Object v = metrics.get(selectBy);
        return v instanceof Number n ? n.doubleValue() : Double.NEGATIVE_INFINITY;
    }
}
