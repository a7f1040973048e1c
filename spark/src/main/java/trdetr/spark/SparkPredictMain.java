package trdetr.spark;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import trdetr.cli.DataArgs;
import trdetr.cli.UserError;
import trdetr.data.DatasetKind;
import trdetr.data.DatasetOptions;

/**
 * The {@code spark-submit} entry point: {@code trdetr predict} over a manifest on a Spark cluster (docs/spark.md).
 * Bad input stops with one line, {@code error: ...}, exit code 2.
 */
@Command(name = "trdetr-spark", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict moments and saliency for every row of a manifest on Spark and write the official submission",
                "(jsonl or Parquet), scored with the official metrics when --gt is given; or, with --top-k, each query's best",
                "moments over all the videos the manifest pairs it with."})
public final class SparkPredictMain implements Callable<Integer> {
    @Option(names = "--manifest", required = true, description = "jsonl (e.g. the official annotation file) or .parquet: qid, query, vid, duration per row.")
    String manifest;
    @Option(names = "--checkpoint", required = true, description = "trdetr checkpoint or an official torch.save checkpoint (read on the driver, broadcast).")
    Path checkpoint;
    @Mixin DataArgs data;
    @Option(names = "--out", required = true, description = "Submission jsonl (one file, written atomically), or a Parquet folder with --format parquet; with --top-k, a jsonl of each query's best moments.")
    Path out;
    @Option(names = "--format", defaultValue = "jsonl", description = "jsonl or parquet (default: ${DEFAULT-VALUE}).")
    String format;
    @Option(names = "--gt", description = "Ground-truth annotation jsonl (on the driver; often the manifest itself): also write the official metrics next to --out.")
    Path groundTruth;
    @Option(names = "--top-k", paramLabel = "K", description = "Instead of a submission: each qid's K best moments over all its rows' videos.")
    Integer topK;
    @Option(names = "--eval-bsz", defaultValue = "100", description = "Batch size, as predict's (the batches are predict's).") int evalBsz;
    @Option(names = "--nms-thd", defaultValue = "-1") double nmsThd;
    @Option(names = "--max-before-nms", defaultValue = "10") int maxBeforeNms;
    @Option(names = "--max-after-nms", defaultValue = "10") int maxAfterNms;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or auto: the executors' device (default: ${DEFAULT-VALUE}).") String device;
    @Option(names = "--threads", defaultValue = "0", description = "CPU threads per task (0: spark.task.cpus, one by default, so an executor runs a task per core).") int threads;
    @Option(names = "--skip-bad", description = "Skip rows whose line or feature files are bad (missing, unreadable, NaN) and report them, instead of failing the job.")
    boolean skipBad;
    @Option(names = "--partitions", defaultValue = "0", description = "Partitions of the prediction stage (0: four per core, at most one per batch).") int partitions;
    @Option(names = "--clip", paramLabel = "DIR", description = "Rows name video files (qid, query, video, optional vid): the executors compute their CLIP features with this CLIP folder (the same path on every executor); no feature folders then.")
    Path clip;
    @Option(names = "--ffmpeg", paramLabel = "PATH", description = "FFmpeg's ffmpeg program on the executors, with --clip (default: TRDETR_FFMPEG, else the PATH).")
    Path ffmpeg;
    @Option(names = "--master", description = "Spark master when not started by spark-submit, e.g. local[2].") String master;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line in this JVM and returns its exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new SparkPredictMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String message = SparkErrors.userMessage(e);
            if (message == null && !(e instanceof java.io.IOException)) throw e;
            cmd.getErr().println("error: " + (message != null ? message : e.getMessage()));
            return 2;
        });
        return cli.execute(args);
    }

    @Override public Integer call() throws Exception {
        SparkPredictJob.Format fmt = switch (format) {
            case "jsonl" -> SparkPredictJob.Format.JSONL;
            case "parquet" -> SparkPredictJob.Format.PARQUET;
            default -> throw new UserError("--format " + format + ": expected jsonl or parquet");
        };
        if (ffmpeg != null && clip == null) throw new UserError("--ffmpeg goes with --clip (a manifest of video files)");
        // Video files: no feature folders are read. DatasetOptions requires some, so it names the CLIP folder, which gives
        // both kinds of features here; the dataset kind only sets how the output is scored.
        DatasetOptions options = clip != null ? DatasetOptions.builder(DatasetKind.QVHIGHLIGHTS, Path.of(manifest)).videoDirs(clip).textDir(clip).build()
                : data.options(Path.of(manifest), false);
        PredictionSettings settings = new PredictionSettings(device, evalBsz, nmsThd, maxBeforeNms, maxAfterNms,
                skipBad || options.skipMissing() || options.skipNonFinite(), threads);
        SparkSession.Builder builder = SparkSession.builder().appName("trdetr-spark");
        if (master != null) builder.master(master);
        SparkSession spark = builder.getOrCreate();
        try {
            SparkPredictJob job = new SparkPredictJob(spark, manifest, options, checkpoint, settings).partitions(partitions);
            if (clip != null) job.fromVideoFiles(new VideoSource(clip.toAbsolutePath().toString(), ffmpeg == null ? null : ffmpeg.toAbsolutePath().toString()));
            if (topK != null) {
                SparkPredictJob.TopMoments r = job.writeTopMoments(topK, out);
                report(r.skipped());
                System.out.printf("best %d moments of %d queries written to %s%n", topK, r.queries().size(), out);
                return 0;
            }
            SparkPredictJob.Result r = job.writeSubmission(out, fmt, groundTruth);
            report(r.skipped());
            System.out.printf("%d predictions written to %s%n", r.predicted(), out);
            if (r.metrics() != null) {
                Path metrics = out.toAbsolutePath().resolveSibling(out.getFileName().toString().replaceFirst("\\.jsonl$", "") + "_metrics.json");
                trdetr.io.DurableFiles.writeString(metrics, r.metrics().toJson());
                System.out.print(r.metrics().briefTable());
                System.out.println("metrics written to " + metrics);
            }
            return 0;
        } finally {
            if (master != null) spark.stop();
        }
    }

    private static void report(java.util.List<String> skipped) {
        if (skipped.isEmpty()) return;
        System.out.printf("skipped %d row%s with bad input (first: %s)%n", skipped.size(), skipped.size() == 1 ? "" : "s", skipped.get(0));
        for (String s : skipped) System.out.println("skipped: " + s);
    }
}
