package trdetr.inference;

import trdetr.train.MemorySpread;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.data.DataLoader;
import trdetr.eval.ScoringRecipe;
import trdetr.eval.EvaluationResult;
import trdetr.eval.GroundTruthEntry;
import trdetr.eval.SubmissionLine;
import trdetr.eval.SubmissionWriter;
import trdetr.model.TrDetr;
import trdetr.train.Validation;
import trdetr.io.DurableFiles;

/**
 * Validation during training: predictions for the split written as latest_{split}_preds.jsonl (and its
 * _metrics.json), scored by the dataset's {@link ScoringRecipe}, whose selection metric picks the best model
 * (MR-full-mAP for QVHighlights and Charades-STA, TVSum's mAP).
 */
public final class MomentValidation implements Validation {
    /** The metrics key of the {@link MemorySpread} of the split (a diagnostic, not an official metric). */
    public static final String MEMORY_SPREAD = "memory_spread";

    private final DataLoader loader;
    private final List<GroundTruthEntry> groundTruth;
    private final Path resultsDir;
    private final String split;
    private final Predictor predictor;
    private final ScoringRecipe scoring;

    public MomentValidation(DataLoader loader, Path resultsDir, String split, Predictor predictor, ScoringRecipe scoring) throws IOException {
        this.loader = loader;
        this.groundTruth = SplitGroundTruth.of(loader.dataset());
        this.resultsDir = resultsDir;
        this.split = split;
        this.predictor = predictor;
        this.scoring = scoring;
    }

    @Override public Map<String, Object> evaluate(TrDetr model, int epoch) throws IOException {
        MemorySpread spread = new MemorySpread();
        List<SubmissionLine> lines = predictor.predict(model, loader, spread);
        Path preds = resultsDir.resolve("latest_" + split + "_preds.jsonl");
        SubmissionWriter.write(preds, lines);
        EvaluationResult result = scoring.evaluate(lines.stream().map(SubmissionLine::toEntry).toList(), groundTruth, true, loader.batchSize());
        DurableFiles.writeString(resultsDir.resolve("latest_" + split + "_preds_metrics.json"), result.toJson());
        Map<String, Object> metrics = new LinkedHashMap<>(result.brief());
        double memorySpread = spread.value();
        // four significant digits: a collapsed memory's spread is ~1e-6, and that size is the point
        if (!Double.isNaN(memorySpread)) metrics.put(MEMORY_SPREAD, Double.parseDouble(String.format(java.util.Locale.ROOT, "%.4g", memorySpread)));
        String warning = spread.warning("after epoch " + (epoch + 1));
        if (warning != null) System.out.println(warning);
        return metrics;
    }

    @Override public double score(Map<String, Object> metrics) {
        Object v = metrics.get(scoring.selectionMetric());
        return v instanceof Number n ? n.doubleValue() : Double.NEGATIVE_INFINITY;
    }
}
