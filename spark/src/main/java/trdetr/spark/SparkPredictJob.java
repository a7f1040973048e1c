package trdetr.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import trdetr.cli.UserError;
import trdetr.data.DatasetKind;
import trdetr.data.DatasetOptions;
import trdetr.eval.EvaluationResult;
import trdetr.eval.GroundTruthEntry;
import trdetr.eval.InputChecks;
import trdetr.eval.JsonlReader;
import trdetr.eval.ScoringRecipe;
import trdetr.eval.StandaloneEvaluator;
import trdetr.eval.SubmissionEntry;
import trdetr.io.DurableFiles;
import trdetr.model.TrDetr;
import trdetr.train.Checkpoint;

/**
 * {@code trdetr predict} as a Spark job: a manifest of query-video rows in, the official submission (or each query's
 * best moments over the library) out, with the official metrics when ground truth is given. docs/spark.md.
 *
 * <pre>{@code
 * DatasetOptions data = DatasetOptions.builder(DatasetKind.QVHIGHLIGHTS, Path.of("val.jsonl"))
 *         .videoDirs(Path.of("features/clip_features")).textDir(Path.of("features/clip_text_features")).build();
 * SparkPredictJob job = new SparkPredictJob(spark, "val.jsonl", data, Path.of("best.ckpt"), PredictionSettings.defaults());
 * SparkPredictJob.Result r = job.writeSubmission(Path.of("val_submission.jsonl"), SparkPredictJob.Format.JSONL, Path.of("val.jsonl"));
 * }</pre>
 *
 * <p>The checkpoint is read once on the driver (a bad one stops here, in one line) and broadcast; each executor loads
 * it once per task it runs at once ({@link ExecutorModels}). Rows are cut into {@code trdetr predict}'s batches and
 * whole batches into partitions ({@link BatchPartitioner}), so the lines equal {@code predict}'s bit for bit.
 */
public final class SparkPredictJob {
    /** The submission's file format. */
    public enum Format { JSONL, PARQUET }

    /**
     * @param predicted lines written
     * @param skipped   the one-line error of each row left out (with skipping on), in manifest order
     * @param metrics   the official metrics of the whole output, or null without ground truth
     */
    public record Result(long predicted, List<String> skipped, EvaluationResult metrics) {}

    /** The top-K answer: each query's best moments, and the rows left out. */
    public record TopMoments(List<LibraryTopK.QueryMoments> queries, List<String> skipped) {}

    private final SparkSession spark;
    private final String manifest;
    private final DatasetOptions data;
    private final Path checkpoint;
    private final PredictionSettings settings;
    private int partitions;
    private VideoSource video;

    /**
     * @param manifest a jsonl or Parquet manifest (a path or URI Spark reads)
     * @param data     the feature folders and processing, as {@code predict} takes them ({@code annotations} names the
     *                 manifest in messages; labels and skipping options are ignored: see {@link PredictionSettings#skipBad()})
     */
    public SparkPredictJob(SparkSession spark, String manifest, DatasetOptions data, Path checkpoint, PredictionSettings settings) {
        if (data.kind() == DatasetKind.TVSUM) throw new UserError("the Spark job predicts QVHighlights and Charades-STA manifests, not TVSum");
        if (data.dataRatio() != 1.0) throw new UserError("--data-ratio applies to training splits, not to the Spark job's manifest");
        this.spark = spark;
        this.manifest = manifest;
        this.data = data.toBuilder().loadLabels(false).skipMissing(false).skipNonFinite(false).build();
        this.checkpoint = checkpoint;
        this.settings = settings;
    }

    /** Partitions of the prediction stage (default 0: four per core Spark offers, at most one per batch). */
    public SparkPredictJob partitions(int n) {
        if (n < 0) throw new IllegalArgumentException("--partitions must be ≥ 0, got " + n);
        partitions = n;
        return this;
    }

    /**
     * Rows name video files ({@code qid}, {@code query}, {@code video}, optional {@code vid}) instead of feature files:
     * the executors compute each video's CLIP features once, with the CLIP folder and FFmpeg of {@code source}, and
     * predict its rows as {@code predict --video} does ({@link VideoPartitionPredictor}). The model must read CLIP
     * features only.
     */
    public SparkPredictJob fromVideoFiles(VideoSource source) {
        video = source;
        return this;
    }

    /**
     * Every row's submission line or skip message, in manifest order (lazy: nothing runs until an action). With
     * {@code uniqueQids} two rows with one qid stop the job first, as {@code predict} does.
     */
    public JavaRDD<PredictedRow> predict(boolean uniqueQids) throws IOException {
        if (!Files.isRegularFile(checkpoint)) throw new UserError(checkpoint + ": no such checkpoint file");
        byte[] weights = weightsOnly(checkpoint);                // a bad checkpoint: one line here, not a failed task per partition
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaPairRDD<Long, ManifestRow> rows = Manifest.rows(spark, manifest).persist(StorageLevel.MEMORY_AND_DISK());
        long n = rows.count();
        if (n == 0) throw new UserError(manifest + ": has no rows (empty manifest)");
        if (uniqueQids && video == null) Manifest.requireUniqueQids(rows, data.annotations(), data.kind(), settings.skipBad());
        int parts = partitions > 0 ? partitions : 4 * sc.defaultParallelism();
        Broadcast<byte[]> broadcast = sc.broadcast(weights);
        if (video != null) return predictVideos(rows, broadcast, parts, uniqueQids);
        return rows.repartitionAndSortWithinPartitions(new BatchPartitioner(parts, settings.evalBsz(), n))
                .mapPartitions(new PartitionPredictor(new ShippedOptions(data), broadcast, settings));
    }

    /** Rows grouped by video file, each video's rows predicted together, back in manifest order. */
    private JavaRDD<PredictedRow> predictVideos(JavaPairRDD<Long, ManifestRow> rows, Broadcast<byte[]> broadcast, int parts,
                                                boolean uniqueQids) {
        String name = data.annotations().toString();      // a Path does not serialize
        if (uniqueQids) Manifest.requireUniqueQids(rows, data.annotations(), settings.skipBad(),
                r -> String.valueOf(VideoPartitionPredictor.parse(name, r).qid()));
        return rows.values().groupBy(r -> VideoPartitionPredictor.videoOf(name, r), parts)
                .mapPartitions(new VideoPartitionPredictor(name, broadcast, video, settings))
                .sortBy(PredictedRow::position, true, parts);
    }

    /**
     * The model of any checkpoint {@code predict} reads, as a trdetr checkpoint holding its config and weights only.
     * Why: a training checkpoint also holds the optimizer's two moments (three times the weights' size), which no
     * executor needs; and an official torch.save checkpoint is read here once rather than on every executor.
     */
    static byte[] weightsOnly(Path checkpoint) throws IOException {
        TrDetr model = Checkpoint.loadModel(checkpoint, null);
        Path file = Files.createTempFile("trdetr-spark-weights-", ".ckpt");
        try {
            Checkpoint.save(file, model, null, new Checkpoint.Progress(0, 0, 0, java.util.Map.of()));
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Writes the submission ({@link SubmissionFiles}) and, with {@code groundTruth} (an annotation jsonl on the
     * driver, e.g. the manifest itself), scores the whole output with the official evaluator as {@code trdetr eval}
     * does; with rows skipped, over the qids that have a line.
     */
    public Result writeSubmission(Path out, Format format, Path groundTruth) throws IOException {
        if (format == Format.PARQUET && Files.exists(out)) throw new UserError(out + ": exists (Parquet output is not overwritten)");
        List<GroundTruthEntry> gt = null;
        if (groundTruth != null) {                                // bad ground truth stops before the model runs
            gt = StandaloneEvaluator.readGroundTruth(groundTruth);
            InputChecks.groundTruth(gt);
        }
        JavaRDD<PredictedRow> rows = predict(true).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            JavaRDD<String> lines = rows.filter(r -> !r.isSkipped()).map(PredictedRow::json);
            if (format == Format.PARQUET) SubmissionFiles.writeParquet(spark.createDataset(lines.rdd(), Encoders.STRING()), out.toString());
            else SubmissionFiles.writeJsonl(lines, out);
            List<String> skipped = rows.filter(PredictedRow::isSkipped).map(PredictedRow::skipped).collect();
            long predicted = rows.count() - skipped.size();
            EvaluationResult metrics = gt == null ? null : evaluate(lines.toLocalIterator(), out, gt, skipped.isEmpty());
            return new Result(predicted, skipped, metrics);
        } finally {
            rows.unpersist(false);
        }
    }

    /** Each query's {@code k} best moments over all the videos the manifest pairs it with, written as jsonl to {@code out}. */
    public TopMoments writeTopMoments(int k, Path out) throws IOException {
        JavaRDD<PredictedRow> rows = predict(false).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            List<LibraryTopK.QueryMoments> best = LibraryTopK.topK(rows, k);
            List<String> skipped = rows.filter(PredictedRow::isSkipped).map(PredictedRow::skipped).collect();
            DurableFiles.writeString(out, String.join("\n", best.stream().map(LibraryTopK.QueryMoments::toJson).toList()));
            return new TopMoments(best, skipped);
        } finally {
            rows.unpersist(false);
        }
    }

    /** The lines as {@code trdetr eval} reads them from the written file, scored against the ground truth. */
    private EvaluationResult evaluate(Iterator<String> lines, Path out, List<GroundTruthEntry> gt, boolean allQids) {
        List<SubmissionEntry> entries = new ArrayList<>();
        int line = 0;
        while (lines.hasNext()) entries.add(SubmissionEntry.fromJson(JsonlReader.parse(out, ++line, lines.next())));
        if (entries.isEmpty()) throw new UserError(out + ": no predictions (every row was skipped)");
        InputChecks.submission(entries);
        return ScoringRecipe.of(data.kind()).evaluate(entries, gt, allQids, settings.evalBsz());
    }
}
