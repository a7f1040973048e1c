package trdetr.train;

import java.nio.file.Path;
import java.util.Map;
import trdetr.data.DataLoader;
import trdetr.data.DemoDataset;
import trdetr.data.MomentDataset;
import trdetr.eval.ScoringRecipe;
import trdetr.inference.MomentValidation;
import trdetr.inference.Predictor;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * A small training run on a small demo dataset, the same in this JVM and in a child process ({@link #main}), so that
 * tests can stop a run (normally or with a kill) and compare its resumption with a run that never stopped.
 */
final class SmallRun {
    private SmallRun() {}

    static DemoDataset.Layout data(Path dir) throws Exception {
        return DemoDataset.ensure(dir, DemoDataset.Settings.defaults().withSizes(12, 6));
    }

    private static TrDetrConfig small(MomentDataset d) {
        return TrDetrConfig.fromOptions(Map.of("enc_layers", 1, "dec_layers", 2, "dim_feedforward", 32, "num_queries", 4,
                "v_feat_dim", d.videoDim(), "t_feat_dim", d.textDim()));
    }

    /** Trains `epochs` epochs into dir (resuming when asked) and returns the final weights. */
    static Map<String, Tensor> train(DemoDataset.Layout layout, Path dir, int epochs, boolean resume) throws Exception {
        MomentDataset train = MomentDataset.open(layout.options("train")), val = MomentDataset.open(layout.options("val"));
        Generator gen = new Generator(7);
        TrDetr model = new TrDetr(small(train), gen, DType.FLOAT32);
        TrainOptions o = new TrainOptions(dir, 7, 4, 5, 1e-3, 400, 1e-4, epochs, 200, 0.1, 1, 0, 1, false, 5); // the warm-up spans the resumption
        try (DataLoader tl = DataLoader.training(train, 4, 7); DataLoader vl = DataLoader.evaluation(val, 5)) {
            MomentValidation v = new MomentValidation(vl, dir, "val", Predictor.of(ScoringRecipe.QVHIGHLIGHTS, 2), ScoringRecipe.QVHIGHLIGHTS);
            new Trainer(model, gen, tl, v, o, Map.of()).run(resume);
        }
        return model.namedParameters();
    }

    /** Child process: DATA_DIR RUN_DIR EPOCHS [resume]. */
    public static void main(String[] args) throws Exception {
        train(data(Path.of(args[0])), Path.of(args[1]), Integer.parseInt(args[2]), args.length > 3 && args[3].equals("resume"));
    }

    /** A JVM like this one running {@link #main} with args (those starting with -D go to the JVM). */
    static ProcessBuilder child(String... args) {
        return java(SmallRun.class, args);
    }

    /** A JVM like this one (same class path, the vector module when this one has it) running main's main method. */
    static ProcessBuilder java(Class<?> main, String... args) {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) cmd.add("--add-modules=jdk.incubator.vector");
        cmd.add("-Dtrdetr.threads=1");
        for (String a : args) if (a.startsWith("-D")) cmd.add(a);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        for (String a : args) if (!a.startsWith("-D")) cmd.add(a);
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    /**
     * The same names and bit for bit the same values. Arrays.mismatch, not AssertJ's element-wise containsExactly,
     * which takes tens of seconds on arrays of a whole model; the message gives the first difference.
     */
    static void assertBitIdentical(Map<String, Tensor> actual, Map<String, Tensor> expected) {
        org.assertj.core.api.Assertions.assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((k, v) -> {
            float[] a = actual.get(k).toFloatArray(), e = v.toFloatArray();
            int at = java.util.Arrays.mismatch(a, e);
            org.assertj.core.api.Assertions.assertThat(at)
                    .as("%s: first difference at %d of %d (%s, expected %s)", k, at, e.length,
                        at >= 0 && at < a.length ? a[at] : "none", at >= 0 && at < e.length ? e[at] : "none")
                    .isEqualTo(-1);
        });
    }
}
