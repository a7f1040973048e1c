package trdetr.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import trdetr.data.Batch;
import trdetr.data.DataLoader;
import trdetr.io.DurableFiles;
import trdetr.loss.TrDetrCriterion;
import trdetr.model.TrDetr;
import trdetr.tensor.Generator;

/**
 * The official training loop (spec §4.7): per batch forward, total loss, backward, gradient-norm clipping, AdamW;
 * StepLR per epoch (after an optional linear warm-up over the first steps, not in the official code); evaluation every few epochs, the best model by a strictly greater score, early stopping.
 * latest.ckpt is written atomically after every epoch and best.ckpt on improvement, both as {@link Checkpoint}s.
 * Data order, per-sample sampling and dropout are pure functions of the seed, the epoch and a saved counter, so a run
 * resumed from latest.ckpt continues exactly as if it had never stopped.
 */
public final class Trainer {
    public static final String LATEST = "latest.ckpt", BEST = "best.ckpt";

    private final TrDetr model;
    private final Generator dropout;
    private final DataLoader train;
    private final Validation validation;
    private final TrainOptions options;
    private final AdamW optimizer;
    private final TrainingStep step;
    private final StepLR schedule;
    private final MetricsLog log;
    private final Map<String, Object> runOptions;
    private final TrainingPlot.Writer plot = new TrainingPlot.Writer();

    /** Training on a dataset with moments (the official criterion with its matcher). */
    public Trainer(TrDetr model, Generator dropout, DataLoader train, Validation validation, TrainOptions options, Map<String, Object> runOptions) {
        this(model, new TrDetrCriterion(model.config()), dropout, train, validation, options, runOptions);
    }

    /**
     * @param criterion the training objective (TVSum's has no matcher)
     * @param dropout   the generator the model's dropout layers draw from (saved in checkpoints)
     */
    public Trainer(TrDetr model, TrDetrCriterion criterion, Generator dropout, DataLoader train, Validation validation, TrainOptions options,
                   Map<String, Object> runOptions) {
        this.model = model;
        this.dropout = dropout;
        this.train = train;
        this.validation = validation;
        this.options = options;
        this.optimizer = AdamW.of(model.namedParameters(), options.lr(), options.wd());
        this.step = new TrainingStep(model, criterion, optimizer, options.gradClip());
        this.schedule = new StepLR(options.lr(), options.lrDrop(), 0.1);
        this.log = new MetricsLog(options.resultsDir().resolve("metrics.jsonl"));
        this.runOptions = runOptions;
    }

    /** The outcome: epochs done, best score and the metrics of the last evaluation. */
    public record Result(int epochsDone, double bestScore, Map<String, Object> lastMetrics, long steps) {}

    /**
     * Trains into the results directory, which this run owns while it runs ({@link RunLock}). With resume, continues
     * from latest.ckpt and refuses to start when there is none.
     */
    public Result run(boolean resume) throws IOException {
        try (RunLock lock = RunLock.acquire(options.resultsDir())) {
            int orphans = DurableFiles.removeOrphans(options.resultsDir());
            if (orphans > 0) System.out.printf("removed %d temporary file(s) an interrupted write left in %s%n", orphans, options.resultsDir());
            return runOwned(resume);
        }
    }

    private Result runOwned(boolean resume) throws IOException {
        Path latest = options.resultsDir().resolve(LATEST);
        int epoch = 0, esCount = 0;
        double best = Double.NEGATIVE_INFINITY;
        if (resume && !Files.exists(latest)) {
            throw new IllegalArgumentException("--resume: " + latest + " does not exist, so there is nothing to resume; "
                    + "run without --resume to start afresh");
        }
        if (resume) {
            Checkpoint.Loaded c = Checkpoint.load(latest);
            c.restore(model, optimizer, latest);
            epoch = c.progress().epochsDone();
            best = c.progress().bestMetric();
            esCount = c.progress().earlyStopCount();
            // Checkpoint.load checked its type; a checkpoint written outside a training run has none.
            if (!(c.progress().runOptions().get(Checkpoint.DROPOUT_COUNTER) instanceof Number counter)) {
                throw new trdetr.io.FormatException(latest, "checkpoint field run_options '" + Checkpoint.DROPOUT_COUNTER
                        + "' is missing: not written by a training run, so there is nothing to resume");
            }
            dropout.setCounter(counter.longValue());
            log.truncateFrom(epoch);
            System.out.printf("resumed from %s after epoch %d%n", latest, epoch);
        } else {
            Files.deleteIfExists(log.file());
        }
        writeRunOptions();
        long steps = 0;
        Map<String, Object> lastMetrics = Map.of();
        boolean stop = false;
        while (epoch < options.nEpoch() && !stop) {
            double epochLr = schedule.lrAt(epoch);
            optimizer.setLr(epochLr);
            model.train(true);
            Map<String, Double> sums = new LinkedHashMap<>();
            int batches = 0;
            long start = System.nanoTime();
            try (ProgressBar bar = progressBar(epoch)) {
                for (Batch batch : train.epoch(epoch)) {
                    long global = (long) epoch * train.numBatches() + batches; // from the epoch, so a resumed run agrees
                    if (global < options.warmupSteps()) optimizer.setLr(epochLr * (global + 1) / options.warmupSteps());
                    else if (options.warmupSteps() > 0) optimizer.setLr(epochLr);
                    Map<String, Double> losses = step.run(batch);
                    double total = losses.get("loss_overall");
                    if (!Double.isFinite(total)) throw new IllegalStateException("epoch " + epoch + ": the loss is " + total + "; stopping");
                    losses.forEach((k, v) -> sums.merge(k, v, Double::sum));
                    batches++;
                    steps++;
                    if (bar != null) bar.step().setExtraMessage(String.format("loss %.3f", sums.get("loss_overall") / batches));
                    if (options.maxSteps() > 0 && steps >= options.maxSteps()) { stop = true; break; }
                }
            }
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("epoch", epoch);
            record.put("lr", optimizer.lr());
            record.put("seconds", (System.nanoTime() - start) / 1e9);
            for (Map.Entry<String, Double> e : sums.entrySet()) record.put(e.getKey(), e.getValue() / Math.max(batches, 1));
            epoch++;
            boolean evaluate = validation != null && (epoch % options.evalEvery() == 0 || epoch == options.nEpoch() || stop);
            if (evaluate) {
                lastMetrics = validation.evaluate(model, epoch - 1);
                record.putAll(lastMetrics);
                double score = validation.score(lastMetrics);
                if (score > best) {
                    best = score;
                    esCount = 0;
                    save(options.resultsDir().resolve(BEST), epoch, best, esCount);
                } else if (options.maxEsCnt() >= 0 && ++esCount > options.maxEsCnt()) {
                    System.out.printf("early stop: no improvement in %d evaluations%n", esCount);
                    stop = true;
                }
                System.out.printf("epoch %d: %s%n", epoch, brief(lastMetrics));
            }
            log.append(record);
            save(latest, epoch, best, esCount);
            plot.update(options.resultsDir().resolve("training.png"), log.read());
        }
        return new Result(epoch, best, lastMetrics, steps);
    }

    private void save(Path file, int epochsDone, double best, int esCount) throws IOException {
        Map<String, Object> run = new LinkedHashMap<>(runOptions);
        run.put(Checkpoint.DROPOUT_COUNTER, dropout.counter());
        Checkpoint.save(file, model, optimizer, new Checkpoint.Progress(epochsDone, best, esCount, run));
    }

    /** opt.json, as the official run records its options. */
    private void writeRunOptions() throws IOException {
        Map<String, Object> all = new LinkedHashMap<>(model.config().toOptions());
        all.putAll(options.toMap());
        all.putAll(runOptions);
        Path opt = options.resultsDir().resolve("opt.json");
        DurableFiles.writeString(opt, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(all));
    }

    private ProgressBar progressBar(int epoch) {
        if (!options.progressBar()) return null;
        return new ProgressBarBuilder().setTaskName("epoch " + (epoch + 1) + "/" + options.nEpoch()).setInitialMax(train.numBatches())
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().build();
    }

    private static String brief(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder();
        for (String k : new String[] {"MR-full-R1@0.5", "MR-full-R1@0.7", "MR-full-mAP", "HL-min-VeryGood-mAP", "HL-min-VeryGood-Hit1", "mAP"}) {
            if (m.containsKey(k)) sb.append(k).append(' ').append(m.get(k)).append("  ");
        }
        return sb.toString().strip();
    }
}
