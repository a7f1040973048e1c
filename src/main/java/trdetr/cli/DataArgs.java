package trdetr.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import trdetr.data.DatasetOptions;
import trdetr.data.DemoDataset;

/** The data options shared by train, predict and the Spark job (trdetr-spark), with the official names in kebab-case. */
public final class DataArgs {
    @Mixin DatasetChoice dataset;
    @Option(names = "--v-feat-dirs", split = ",", description = "Video feature directories, concatenated in this order.") List<Path> vFeatDirs = new ArrayList<>();
    @Option(names = "--t-feat-dir", description = "Text feature directory.") Path tFeatDir;
    @Option(names = "--a-feat-dir", description = "Audio feature directory (optional).") Path aFeatDir;
    @Option(names = "--ctx-mode", defaultValue = "video_tef") String ctxMode;
    @Option(names = "--max-q-l", defaultValue = "32") int maxQL;
    @Option(names = "--max-v-l", defaultValue = "75") int maxVL;
    @Option(names = "--clip-length", defaultValue = "2") double clipLength;
    @Option(names = "--max-windows", defaultValue = "5") int maxWindows;
    @Option(names = "--data-ratio", defaultValue = "1.0") double dataRatio;
    @Option(names = "--no-norm-vfeat") boolean noNormVfeat;
    @Option(names = "--no-norm-tfeat") boolean noNormTfeat;
    @Option(names = "--skip-missing", description = "Skip rows whose feature files are missing (reported) instead of stopping.") boolean skipMissing;
    @Option(names = "--skip-nonfinite-features", description = "Skip rows whose features hold NaN or Inf (reported) instead of stopping; "
            + "reads every row's features once at the start.") boolean skipNonFinite;

    boolean hasFeatures() { return tFeatDir != null; }

    public DatasetOptions options(Path annotations, boolean labels) {
        if (tFeatDir == null) throw new UserError("--t-feat-dir is required with " + annotations);
        if (ctxMode.contains("video") && vFeatDirs.isEmpty()) throw new UserError("--v-feat-dirs is required with --ctx-mode " + ctxMode);
        return processing(DatasetOptions.builder(dataset.kind(annotations), annotations).domain(dataset.domain())
                .videoDirs(vFeatDirs).textDir(tFeatDir).audioDir(aFeatDir)).loadLabels(labels).build();
    }

    /**
     * A split of the built-in demo dataset with these options' processing (--data-ratio, --max-v-l, ...), which the
     * demo honours like any dataset; its features are its own, so feature directories are refused, not ignored.
     */
    DatasetOptions demoOptions(DemoDataset.Layout demo, String split) {
        if (tFeatDir != null || !vFeatDirs.isEmpty() || aFeatDir != null) {
            throw new UserError("--t-feat-dir, --v-feat-dirs and --a-feat-dir need --train-path (the demo dataset has its own features)");
        }
        DatasetOptions own = demo.options(split);
        return processing(DatasetOptions.builder(own.kind(), own.annotations()).videoDirs(own.videoDirs()).textDir(own.textDir()))
                .loadLabels(true).build();
    }

    private DatasetOptions.Builder processing(DatasetOptions.Builder b) {
        return b.ctxMode(ctxMode).maxQueryLength(maxQL).maxVideoLength(maxVL).clipLength(clipLength).maxWindows(maxWindows)
                .normalizeVideo(!noNormVfeat).normalizeText(!noNormTfeat).dataRatio(dataRatio).skipMissing(skipMissing)
                .skipNonFinite(skipNonFinite);
    }
}
