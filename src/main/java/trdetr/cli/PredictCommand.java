package trdetr.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import trdetr.backend.cpu.Parallel;
import trdetr.data.Annotation;
import trdetr.data.DataLoader;
import trdetr.data.MomentDataset;
import trdetr.eval.ScoringRecipe;
import trdetr.eval.EvaluationResult;
import trdetr.eval.SubmissionLine;
import trdetr.eval.SubmissionWriter;
import trdetr.train.MemorySpread;
import trdetr.inference.Predictor;
import trdetr.inference.QueryPicture;
import trdetr.inference.SplitGroundTruth;
import trdetr.model.OptionReader;
import trdetr.model.TrDetr;
import trdetr.train.Checkpoint;
import trdetr.io.DurableFiles;

/** Writes the submission jsonl for a split from a checkpoint; scores it when the split has labels. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict moments and saliency for every query of a split and write the official submission jsonl.",
                "hl: windows and saliency; charades: windows only; tvsum: float32 saliency only (it has no windows).",
                "With labels in the annotations, also score it (PRED_metrics.json): the official evaluator for hl, its moment-retrieval",
                "part over Lighthouse's full range for charades, the top-5 mAP for tvsum."})
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "trdetr checkpoint (best.ckpt/latest.ckpt) or an official torch.save checkpoint.") Path checkpoint;
    @Option(names = "--video", paramLabel = "FILE", description = "Predict on this video file instead of a split (with --query and --clip; the model must be trained on CLIP-only video features).") Path video;
    @Option(names = "--query", paramLabel = "TEXT", description = "A sentence to find in --video (repeatable; the video is encoded once).") List<String> queries = new java.util.ArrayList<>();
    @Option(names = "--clip", paramLabel = "DIR", description = "With --video: the Hugging Face CLIP folder the model's features were made with.") Path clip;
    @Option(names = "--ffmpeg", paramLabel = "PATH", description = "With --video: the ffmpeg program or its folder (default: $TRDETR_FFMPEG, else the PATH).") Path ffmpeg;
    @Option(names = "--eval-path", description = "Annotations of the split (jsonl). Default: the validation split the checkpoint was trained with.") Path evalPath;
    @Mixin DataArgs data;
    @Option(names = "--out", description = "Submission file (default: {dset_name}_{split}_submission.jsonl next to the checkpoint; with --video, {vid}_moments.jsonl here).") Path out;
    @Option(names = "--eval-bsz", defaultValue = "100") int evalBsz;
    @Option(names = "--nms-thd", defaultValue = "-1", description = "NMS IoU threshold; -1 (default) is off, as the official runs.") double nmsThd;
    @Option(names = "--max-before-nms", defaultValue = "10") int maxBeforeNms;
    @Option(names = "--max-after-nms", defaultValue = "10") int maxAfterNms;
    @Option(names = "--html-dir", description = "Also write one HTML picture per query (saliency, windows, ground truth) here.") Path htmlDir;
    @Option(names = "--html-limit", defaultValue = "20", description = "At most this many pictures.") int htmlLimit;
    @Mixin DeviceOption device;
    @Option(names = "--threads") Integer threads;

    @Override public Integer call() throws Exception {
        trdetr.backend.Backend backend = device.use();
        if (threads != null) Parallel.setThreads(threads);
        VerifyCommand.requireFile(checkpoint, "--checkpoint");
        if (video != null || !queries.isEmpty() || clip != null) return new VideoPrediction(this).run(backend);
        TrDetr model = Checkpoint.loadModel(checkpoint, null);
        MomentDataset split = MomentDataset.open(splitOptions());
        split.skipReports().forEach(System.out::println);
        ScoringRecipe scoring = ScoringRecipe.of(split.options().kind());
        Path target = out != null ? out : checkpoint.toAbsolutePath().resolveSibling(data.dataset.name + "_" + splitName() + "_submission.jsonl");
        List<SubmissionLine> lines;
        MemorySpread spread = new MemorySpread();
        try (DataLoader loader = DataLoader.evaluation(split, evalBsz)) {
            lines = new Predictor(scoring, scoring.postProcessor(data.clipLength), nmsThd, maxBeforeNms, maxAfterNms).predict(model, loader, spread);
        }
        SubmissionWriter.write(target, lines);
        System.out.printf("%d predictions written to %s (encoder memory spread %.3g)%n", lines.size(), target, spread.value());
        String warning = spread.warning("in this model");
        if (warning != null) System.out.println(warning);
        if (htmlDir != null) pictures(lines, split);
        boolean labelled = split.annotations().stream().allMatch(a -> a.relevantWindows() != null || a.label() != null);
        if (labelled) {
            EvaluationResult result = scoring.evaluate(lines.stream().map(SubmissionLine::toEntry).toList(), SplitGroundTruth.of(split), true, evalBsz);
            Path metrics = target.resolveSibling(target.getFileName().toString().replaceFirst("\\.jsonl$", "") + "_metrics.json");
            DurableFiles.writeString(metrics, result.toJson());
            System.out.print(result.briefTable());
            System.out.println("metrics written to " + metrics);
        }
        return 0;
    }

    /** The split's data options: given explicitly, or those the checkpoint's training run recorded. */
    private trdetr.data.DatasetOptions splitOptions() throws Exception {
        if (evalPath != null && data.hasFeatures()) return data.options(evalPath, true);
        Map<String, Object> run = Checkpoint.isTrdetrCheckpoint(checkpoint) ? Checkpoint.load(checkpoint).progress().runOptions() : Map.of();
        if (evalPath == null && run.get("eval_path") instanceof String p) evalPath = Path.of(p);
        if (evalPath == null) throw new UserError("--eval-path is required (the checkpoint records no validation split)");
        if (!data.hasFeatures()) {
            if (!(run.get("t_feat_dir") instanceof String t)) throw new UserError("--t-feat-dir and --v-feat-dirs are required");
            data.tFeatDir = Path.of(t);
            data.vFeatDirs = strings(run, "v_feat_dirs").stream().map(Path::of).toList();
            if (run.get("ctx_mode") instanceof String c) data.ctxMode = c;
            // The dataset and its clip length come with the features unless given: a TVSum or Charades-STA checkpoint
            // predicts on its own dataset as it was trained.
            if (data.dataset.isDefault() && run.get("dset_name") instanceof String n) {
                data.dataset.name = n;
                data.dataset.domain = run.get("dset_domain") instanceof String d ? d : null;
            }
            // Read exactly (a number beyond int is refused, not wrapped); the dataset options check what they need.
            OptionReader r = runOptions(run);
            data.clipLength = r.real("clip_length", data.clipLength, 0, 3600);
            data.maxVL = r.integer("max_v_l", data.maxVL, Integer.MIN_VALUE, Integer.MAX_VALUE);
            data.maxQL = r.integer("max_q_l", data.maxQL, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        return data.options(evalPath, !isTestSplit());
    }

    private OptionReader runOptions(Map<String, Object> run) {
        return new OptionReader(checkpoint, "checkpoint field run_options", run);
    }

    /** A list of strings from the checkpoint's run options, or a one-line refusal naming the key. */
    private List<String> strings(Map<String, Object> run, String key) {
        Object v = run.getOrDefault(key, List.of());
        if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) return l.stream().map(String.class::cast).toList();
        throw runOptions(run).invalid(key, "it must be a list of directories");
    }

    private boolean isTestSplit() throws java.io.IOException {
        // A test split has no labels: read it without them rather than failing on missing fields.
        String first = Files.lines(evalPath).filter(l -> !l.isBlank()).findFirst().orElse("");
        return !first.contains("\"relevant_windows\"") && !first.contains("\"label\"");
    }

    private String splitName() {
        String name = evalPath.getFileName().toString();
        for (String s : new String[] {"test", "val", "train"}) if (name.contains(s)) return s;
        return "pred";
    }

    private void pictures(List<SubmissionLine> lines, MomentDataset split) throws Exception {
        Files.createDirectories(htmlDir);
        for (int i = 0; i < Math.min(htmlLimit, lines.size()); i++) {
            Annotation truth = split.annotation(i);
            SubmissionLine line = lines.get(i);
            QueryPicture.write(htmlDir.resolve("qid" + line.qid() + ".html"), QueryPicture.html(line, truth, data.clipLength, 10));
        }
        System.out.printf("%d pictures written to %s%n", Math.min(htmlLimit, lines.size()), htmlDir);
    }
}
