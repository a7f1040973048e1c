package trdetr.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;
import trdetr.backend.cpu.Parallel;
import trdetr.data.Annotation;
import trdetr.data.AnnotationReader;
import trdetr.data.DataLoader;
import trdetr.data.DatasetOptions;
import trdetr.data.MomentDataset;
import trdetr.eval.JsonlReader;
import trdetr.eval.ScoringRecipe;
import trdetr.eval.SubmissionLine;
import trdetr.inference.Predictor;
import trdetr.io.FormatException;

/**
 * An executor's work on one partition (whole batches, in manifest order, {@link BatchPartitioner}): the rows are
 * parsed and read as {@code trdetr predict} reads a split, run through {@link Predictor} with a model borrowed from
 * {@link ExecutorModels}, and come out as submission lines. Everything is a function of the rows and the broadcast
 * checkpoint, so a retried task gives the same lines.
 *
 * <p>A bad row (a line that is not an annotation, a feature file missing, unreadable or holding NaN) fails the task
 * with the one-line error naming the manifest line or the file; with {@link PredictionSettings#skipBad()} the row is
 * left out and its error returned instead. Skipping checks each row on its own first (its features are read twice).
 */
final class PartitionPredictor implements FlatMapFunction<Iterator<Tuple2<Long, ManifestRow>>, PredictedRow> {
    /** Test hook: a partition whose first attempt fails (tests of Spark's retry; unset in real runs). */
    static final String FAIL_FIRST_ATTEMPT = "trdetr.spark.failFirstAttemptOfPartition";
    /** How many times the hook has thrown in this JVM (what the retry test checks). */
    static final java.util.concurrent.atomic.AtomicInteger INJECTED_FAILURES = new java.util.concurrent.atomic.AtomicInteger();

    private final ShippedOptions data;
    private final Broadcast<byte[]> checkpoint;
    private final PredictionSettings settings;

    PartitionPredictor(ShippedOptions data, Broadcast<byte[]> checkpoint, PredictionSettings settings) {
        this.data = data;
        this.checkpoint = checkpoint;
        this.settings = settings;
    }

    /**
     * The CPU threads a task computes with: the user's --threads, else the cores Spark gives each task
     * (spark.task.cpus, 1 by default). Spark runs as many tasks at once as an executor has cores over spark.task.cpus,
     * so this keeps the executor's cores busy without more threads than cores: with all cores per task, two tasks on
     * two cores ran slower together than one alone (bench/results/spark-local-2026-12-07.md).
     */
    static int threadsPerTask(int requested, TaskContext task) {
        if (requested > 0) return requested;
        return task == null ? 1 : Math.max(1, task.cpus());
    }

    /** Sets this JVM's CPU threads to {@link #threadsPerTask} for the running task (all its tasks agree on the number). */
    static void useTaskThreads(int requested) {
        int threads = threadsPerTask(requested, TaskContext.get());
        if (Parallel.threads() != threads) Parallel.setThreads(threads);
    }

    @Override public Iterator<PredictedRow> call(Iterator<Tuple2<Long, ManifestRow>> partition) {
        failFirstAttemptIfAsked();
        useTaskThreads(settings.threads());
        DatasetOptions folders = data.options();
        List<ManifestRow> manifestRows = new ArrayList<>();
        partition.forEachRemaining(t -> manifestRows.add(t._2()));
        List<PredictedRow> out = new ArrayList<>();
        List<Annotation> rows = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        // Rows that name their own feature files: this task's rows are read through links (RowFeatureFiles).
        boolean ownFiles = RowFeatureFiles.anyNamesFiles(folders.annotations(), manifestRows);
        try (RowFeatureFiles links = ownFiles ? new RowFeatureFiles(folders) : null) {
            DatasetOptions options = links == null ? folders : links.options();
            for (ManifestRow r : manifestRows) {
                try {
                    Annotation a = AnnotationReader.parse(options.annotations(), r.line(), r.json(), options.kind(), false);
                    if (links != null) links.add(a, JsonlReader.parse(options.annotations(), r.line(), r.json()));
                    if (settings.skipBad()) MomentDataset.of(options, List.of(a));      // reads its features: a bad file shows here
                    rows.add(a);
                    positions.add(r.position());
                } catch (FormatException e) {
                    if (!settings.skipBad()) throw e;
                    out.add(new PredictedRow(r.position(), null, e.getMessage()));
                }
            }
            if (!rows.isEmpty()) {
                List<SubmissionLine> lines = predict(options, rows);
                for (int i = 0; i < lines.size(); i++) out.add(new PredictedRow(positions.get(i), lines.get(i).toJson(), null));
            }
        }
        out.sort(Comparator.comparingLong(PredictedRow::position));
        return out.iterator();
    }

    private List<SubmissionLine> predict(DatasetOptions options, List<Annotation> rows) {
        MomentDataset dataset = MomentDataset.of(options, rows);
        ScoringRecipe scoring = ScoringRecipe.of(options.kind());
        Predictor predictor = new Predictor(scoring, scoring.postProcessor(options.clipLength()), settings.nmsThd(), settings.maxBeforeNms(),
                settings.maxAfterNms());
        try (ExecutorModels.Lease<trdetr.model.TrDetr> lease = ExecutorModels.borrow(checkpoint, settings.device());
             DataLoader loader = DataLoader.evaluation(dataset, settings.evalBsz())) {
            return predictor.predict(lease.model(), loader);
        }
    }

    private static void failFirstAttemptIfAsked() {
        Integer partition = Integer.getInteger(FAIL_FIRST_ATTEMPT);
        TaskContext task = TaskContext.get();
        if (partition != null && task != null && task.partitionId() == partition && task.attemptNumber() == 0) {
            INJECTED_FAILURES.incrementAndGet();
            throw new IllegalStateException("injected failure of partition " + partition + ", first attempt (" + FAIL_FIRST_ATTEMPT + ")");
        }
    }
}
