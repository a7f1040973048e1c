package trdetr.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import trdetr.eval.ScoringRecipe;
import trdetr.eval.EvaluationResult;
import trdetr.eval.GroundTruthEntry;
import trdetr.eval.InputChecks;
import trdetr.eval.StandaloneEvaluator;
import trdetr.eval.SubmissionEntry;
import trdetr.io.DurableFiles;

/**
 * {@code trdetr eval}: the official QVHighlights evaluator ({@code standalone_eval/eval.py}) on a submission file, or
 * with {@code --dset-name} the metric of another dataset ({@link ScoringRecipe}).
 * Prints the brief metrics (or, with --json, the full metrics JSON exactly as the official script writes it) and
 * writes the full JSON to --out. Bad input (malformed jsonl, a missing field, qid sets that differ, a repeated qid, a
 * ground-truth row that breaks the annotation rules of docs/data-validation.md) is a one-line error naming the file
 * and line, exit code 2.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Score a moment-retrieval / highlight-detection submission: the official QVHighlights metrics,",
                "the moment-retrieval metrics over Lighthouse's full range for charades, the top-5 mAP for tvsum."})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--submission", required = true, paramLabel = "PRED.jsonl",
            description = "Submission jsonl: qid, pred_relevant_windows [[st, ed, score], ...], pred_saliency_scores.")
    Path submission;

    @Option(names = "--gt", required = true, paramLabel = "GT.jsonl", description = "Ground-truth jsonl (the annotation file of the split).")
    Path groundTruth;

    @Mixin DatasetChoice dataset;

    @Option(names = "--eval-bsz", defaultValue = "100",
            description = "TVSum only: the batch size the predictions were made with; the official mAP averages only the last video of each batch.")
    int evalBsz;

    @Option(names = "--out", paramLabel = "METRICS.json", description = "Write the full metrics JSON here (json.dumps(indent=4), written atomically).")
    Path out;

    @Option(names = "--json", description = "Print the full metrics JSON instead of the brief table.")
    boolean json;

    @Option(names = "--allow-missing-qids",
            description = "Score only the qids present in both files (the official match_number=False); by default the qid sets must be equal.")
    boolean allowMissing;

    @Override public Integer call() throws Exception {
        ScoringRecipe scoring = ScoringRecipe.of(dataset.kind(groundTruth));
        List<GroundTruthEntry> gt = StandaloneEvaluator.readGroundTruth(groundTruth);
        InputChecks.groundTruth(gt);
        if (dataset.domain() != null) gt = gt.stream().filter(g -> dataset.domain().equals(g.domain())).toList();
        List<SubmissionEntry> predictions = StandaloneEvaluator.readSubmission(submission);
        InputChecks.submission(predictions);
        EvaluationResult result;
        try {
            result = scoring.evaluate(predictions, gt, !allowMissing, evalBsz);
        } catch (UserError e) {
            // What scoring finds wrong is about the ground truth given: name it, unless the message already does.
            if (e.getMessage().contains(groundTruth.toString())) throw e;
            throw new UserError(groundTruth + ": " + e.getMessage());
        }
        if (json) {
            System.out.println(result.toJson());
        } else {
            System.out.print(result.briefTable());
        }
        if (out != null) {
            DurableFiles.writeString(out, result.toJson());
            if (!json) System.out.println("metrics written to " + out);
        }
        return 0;
    }
}
