package trdetr.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import trdetr.backend.cpu.Parallel;
import trdetr.data.ChanceLevels;
import trdetr.data.DataLoader;
import trdetr.data.DatasetOptions;
import trdetr.data.DemoDataset;
import trdetr.data.MomentDataset;
import trdetr.eval.ScoringRecipe;
import trdetr.inference.MomentValidation;
import trdetr.loss.TrDetrCriterion;
import trdetr.inference.Predictor;
import trdetr.model.Fix;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.train.TrainOptions;
import trdetr.train.Trainer;

/**
 * Trains TR-DETR. Options mirror the official ones in kebab-case. With no data options it trains on the built-in demo
 * dataset (generated once into a cache directory).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train TR-DETR on QVHighlights, Charades-STA or TVSum data (official option names, kebab-case).",
                "With no --train-path it generates the built-in demo dataset (QVHighlights format) and trains on it.",
                "Validation, the best checkpoint and early stopping use the dataset's metric: MR-full-mAP for hl and charades "
                        + "(charades: moment retrieval only, over Lighthouse's single full range), mAP (top-5) for tvsum."})
final class TrainCommand implements Callable<Integer> {
    /**
     * The demo's schedule, chosen so that the main job finishes in under 10 minutes on a 2-core CPU: the official run
     * takes 200 epochs of 225 steps of 32 at lr 1e-4; DETR-style training is bound by the number of steps, so here
     * 7 epochs of 150 steps of 8 at 3× the official rate, dropped tenfold for the last epoch. The rate is warmed up
     * over the first 300 steps because a larger, sooner step collapses the encoder (see
     * {@link trdetr.train.MemorySpread}): at 1e-3 with a 40-step warm-up, the previous demo schedule, moment
     * retrieval never left its chance level; at 3e-4 with 40 steps (dropped after 5 epochs) MR-full-R1@0.5 was 26.0
     * after 7 epochs, with 300 steps (dropped after 6) 79.0. DemoScheduleTest checks the first epoch of both.
     */
    static final class Demo {
        static final int BSZ = 8, EPOCHS = 7, EVAL_EVERY = 1, LR_DROP = 6, WARMUP = 300;
        static final double LR = 3e-4;
        /** Versioned: a cache made by an earlier generator (other settings) is left alone rather than refused. */
        static final String DIR = "demo-v2";
    }

    // data
    @Option(names = "--train-path", description = "Training annotations (jsonl).") Path trainPath;
    @Option(names = "--eval-path", description = "Validation annotations (jsonl).") Path evalPath;
    @Mixin DataArgs data;
    @Option(names = "--demo-dir", description = "Where the demo dataset lives (default: ~/.cache/trdetr/" + Demo.DIR + ").") Path demoDir;
    // optimisation
    @Option(names = "--seed", defaultValue = "2017") long seed;
    @Option(names = "--bsz", description = "Batch size (default 32; " + Demo.BSZ + " for the demo).") Integer bsz;
    @Option(names = "--eval-bsz", defaultValue = "100") int evalBsz;
    @Option(names = "--lr", description = "Learning rate (default 1e-4; " + Demo.LR + " for the demo).") Double lr;
    @Option(names = "--lr-drop", description = "Divide the learning rate by 10 every N epochs (default 400; " + Demo.LR_DROP + " for the demo).") Integer lrDrop;
    @Option(names = "--warmup-steps", description = "Linear learning-rate warm-up over the first N steps (default 0, as the official code; "
            + Demo.WARMUP + " for the demo).") Integer warmupSteps;
    @Option(names = "--wd", defaultValue = "1e-4") double wd;
    @Option(names = "--n-epoch", description = "Epochs (default 200; " + Demo.EPOCHS + " for the demo).") Integer nEpoch;
    @Option(names = "--max-es-cnt", defaultValue = "200") int maxEsCnt;
    @Option(names = "--grad-clip", defaultValue = "0.1") double gradClip;
    @Option(names = "--eval-epoch", description = "Evaluate every N epochs (default 5; " + Demo.EVAL_EVERY + " for the demo).") Integer evalEvery;
    @Option(names = "--max-steps", defaultValue = "0", description = "Stop after this many optimizer steps (0: no limit).") int maxSteps;
    @Option(names = "--results-root", defaultValue = "results") Path resultsRoot;
    @Option(names = "--exp-id", description = "Run name; results go to RESULTS_ROOT/EXP_ID (default: demo, or exp).") String expId;
    @Option(names = "--resume", description = "Continue the run in the results directory from its latest checkpoint.") boolean resume;
    // model
    @Option(names = "--enc-layers", defaultValue = "2") int encLayers;
    @Option(names = "--dec-layers", defaultValue = "2") int decLayers;
    @Option(names = "--dim-feedforward", defaultValue = "1024") int dimFeedforward;
    @Option(names = "--hidden-dim", defaultValue = "256") int hiddenDim;
    @Option(names = "--nheads", defaultValue = "8") int nheads;
    @Option(names = "--num-queries", defaultValue = "10") int numQueries;
    @Option(names = "--n-input-proj", defaultValue = "2") int nInputProj;
    @Option(names = "--input-dropout", defaultValue = "0.5") double inputDropout;
    @Option(names = "--dropout", defaultValue = "0.1") double dropout;
    @Option(names = "--no-aux-loss") boolean noAuxLoss;
    @Option(names = "--span-loss-coef", defaultValue = "10") double spanLossCoef;
    @Option(names = "--giou-loss-coef", defaultValue = "1") double giouLossCoef;
    @Option(names = "--label-loss-coef", defaultValue = "4") double labelLossCoef;
    @Option(names = "--lw-saliency", defaultValue = "1") double lwSaliency;
    @Option(names = "--saliency-margin", defaultValue = "0.2") double saliencyMargin;
    @Option(names = "--set-cost-span", defaultValue = "10") double setCostSpan;
    @Option(names = "--set-cost-giou", defaultValue = "1") double setCostGiou;
    @Option(names = "--set-cost-class", defaultValue = "4") double setCostClass;
    @Option(names = {"--vtc-loss-coef", "--VTC-loss-coef"}, defaultValue = "0.3") double vtcLossCoef;
    @Option(names = {"--ctc-loss-coef", "--CTC-loss-coef"}, defaultValue = "0.5") double ctcLossCoef;
    @Option(names = "--fix", split = ",", description = "Opt-in corrections of official bugs: t2v-mask, mr2hd-slice.") List<String> fixes = new ArrayList<>();
    // machine
    @Mixin DeviceOption device;
    @Option(names = "--threads", description = "CPU threads (default: all cores).") Integer threads;
    @Option(names = "--no-progress", description = "No progress bar.") boolean noProgress;

    @Override public Integer call() throws Exception {
        device.use();
        if (threads != null) Parallel.setThreads(threads);
        // The model's MR2HD step turns spans into whole clips with clip_length, an int in the official code (its
        // --clip_length is type=int); a fractional value would silently become (int) 0.5 = 0 there.
        if (!(data.clipLength >= 1) || data.clipLength != Math.rint(data.clipLength)) {
            throw new UserError("--clip-length " + data.clipLength + ": training needs a whole number of seconds per clip, at least 1 "
                    + "(the model's clip_length is an integer, as in the official code)");
        }
        boolean demo = trainPath == null;
        if (demo && !data.dataset.isDefault()) {
            throw new UserError("--dset-name " + data.dataset.name + " needs --train-path (the demo dataset is QVHighlights)");
        }
        DatasetOptions trainData, evalData;
        if (demo) {
            Path dir = demoDir != null ? demoDir : Path.of(System.getProperty("user.home"), ".cache", "trdetr", Demo.DIR);
            System.out.println("demo dataset: " + dir + (DemoDataset.isComplete(dir) ? " (cached)" : " (generating)"));
            DemoDataset.Layout layout = DemoDataset.ensure(dir, DemoDataset.Settings.defaults());
            ChanceLevels chance = DemoDataset.chanceLevels(layout);
            System.out.printf("chance levels on its val split: MR-full-R1@0.5 %.2f, HL-min-VeryGood-mAP %.2f, HL-min-VeryGood-Hit1 %.2f%n",
                    chance.mrFullR1At05(), chance.hlMinVeryGoodMap(), chance.hlMinVeryGoodHit1());
            trainData = data.demoOptions(layout, "train");
            evalData = data.demoOptions(layout, "val");
        } else {
            trainData = data.options(trainPath, true);
            evalData = evalPath == null ? null : data.options(evalPath, true);
        }
        ScoringRecipe scoring = ScoringRecipe.of((evalData != null ? evalData : trainData).kind());
        MomentDataset train = MomentDataset.open(trainData);
        MomentDataset val = evalData == null ? null : MomentDataset.open(evalData);
        train.skipReports().forEach(System.out::println);
        if (val != null) val.skipReports().forEach(System.out::println);

        TrDetrConfig config = modelConfig(train);
        Path resultsDir = resultsRoot.resolve(expId != null ? expId : demo ? "demo" : "exp");
        int epochs = nEpoch != null ? nEpoch : demo ? Demo.EPOCHS : 200;
        int every = evalEvery != null ? evalEvery : demo ? Demo.EVAL_EVERY : 5;
        int batch = bsz != null ? bsz : demo ? Demo.BSZ : 32;
        double rate = lr != null ? lr : demo ? Demo.LR : 1e-4;
        int drop = lrDrop != null ? lrDrop : demo ? Demo.LR_DROP : 400;
        int warmup = warmupSteps != null ? warmupSteps : demo ? Demo.WARMUP : 0;
        TrainOptions options = new TrainOptions(resultsDir, seed, batch, evalBsz, rate, drop, wd, epochs, maxEsCnt, gradClip, every,
                maxSteps, Parallel.threads(), !noProgress, warmup);
        Generator gen = new Generator(seed);
        TrDetr model = new TrDetr(config, gen, DType.FLOAT32);
        System.out.printf("model: %,d parameters; %d training and %d validation queries; results in %s%n",
                model.parameterCount(), train.size(), val == null ? 0 : val.size(), resultsDir);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("train_path", trainData.annotations().toString());
        run.put("eval_path", evalData == null ? null : evalData.annotations().toString());
        run.put("v_feat_dirs", trainData.videoDirs().stream().map(Path::toString).toList());
        run.put("t_feat_dir", trainData.textDir().toString());
        run.put("ctx_mode", trainData.ctxMode());
        run.put("dset_name", data.dataset.name);
        run.put("dset_domain", data.dataset.domain);
        run.put("clip_length", trainData.clipLength());
        run.put("max_v_l", trainData.maxVideoLength());
        run.put("max_q_l", trainData.maxQueryLength());
        run.put("demo", demo);
        Files.createDirectories(resultsDir);
        try (DataLoader trainLoader = DataLoader.training(train, batch, seed);
             DataLoader valLoader = val == null ? null : DataLoader.evaluation(val, evalBsz)) {
            MomentValidation validation = val == null ? null
                    : new MomentValidation(valLoader, resultsDir, "val", Predictor.of(scoring, trainData.clipLength()), scoring);
            // Official use_matcher = (dset_name != "tvsum"): a dataset without moments trains on saliency alone.
            TrDetrCriterion criterion = new TrDetrCriterion(config, ScoringRecipe.of(trainData.kind()).hasWindows());
            Trainer.Result result = new Trainer(model, criterion, gen, trainLoader, validation, options, run).run(resume);
            System.out.printf("done: %d epochs, best %s %s; checkpoints, metrics.jsonl and training.png in %s%n",
                    result.epochsDone(), scoring.selectionMetric(), val == null ? "(no validation)" : String.valueOf(result.bestScore()), resultsDir);
        }
        return 0;
    }

    private TrDetrConfig modelConfig(MomentDataset train) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("hidden_dim", hiddenDim); o.put("nheads", nheads); o.put("enc_layers", encLayers); o.put("dec_layers", decLayers);
        o.put("dim_feedforward", dimFeedforward); o.put("num_queries", numQueries);
        o.put("v_feat_dim", train.videoDim()); o.put("t_feat_dim", train.textDim()); o.put("a_feat_dim", train.audioDim());
        o.put("n_input_proj", nInputProj); o.put("clip_length", (int) data.clipLength); o.put("max_v_l", data.maxVL); o.put("max_q_l", data.maxQL);
        o.put("dropout", dropout); o.put("input_dropout", inputDropout); o.put("aux_loss", !noAuxLoss);
        o.put("set_cost_span", setCostSpan); o.put("set_cost_giou", setCostGiou); o.put("set_cost_class", setCostClass);
        o.put("span_loss_coef", spanLossCoef); o.put("giou_loss_coef", giouLossCoef); o.put("label_loss_coef", labelLossCoef);
        o.put("lw_saliency", lwSaliency); o.put("saliency_margin", saliencyMargin);
        o.put("VTC_loss_coef", vtcLossCoef); o.put("CTC_loss_coef", ctcLossCoef);
        o.put("fixes", fixes.stream().map(f -> Fix.parse(f).option()).toList());
        return TrDetrConfig.fromOptions(o);
    }
}
