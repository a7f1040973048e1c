package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.data.DataLoader;
import trdetr.data.DemoDataset;
import trdetr.data.MomentDataset;
import trdetr.eval.Benchmark;
import trdetr.inference.MomentValidation;
import trdetr.inference.Predictor;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

class TrainerTest {
    @TempDir Path tmp;

    private DemoDataset.Layout data() throws Exception {
        return DemoDataset.ensure(tmp.resolve("demo"), DemoDataset.Settings.defaults().withSizes(12, 6));
    }

    private static TrDetrConfig small(MomentDataset d) {
        return TrDetrConfig.fromOptions(Map.of("enc_layers", 1, "dec_layers", 2, "dim_feedforward", 32, "num_queries", 4,
                "v_feat_dim", d.videoDim(), "t_feat_dim", d.textDim()));
    }

    /** Trains `epochs` epochs into dir (resuming when asked) and returns the final weights. */
    private Map<String, Tensor> train(DemoDataset.Layout layout, Path dir, int epochs, boolean resume) throws Exception {
        MomentDataset train = MomentDataset.open(layout.options("train")), val = MomentDataset.open(layout.options("val"));
        Generator gen = new Generator(7);
        TrDetr model = new TrDetr(small(train), gen, DType.FLOAT32);
        TrainOptions o = new TrainOptions(dir, 7, 4, 5, 1e-3, 400, 1e-4, epochs, 200, 0.1, 1, 0, 1, false, 5); // the warm-up spans the resumption
        try (DataLoader tl = DataLoader.training(train, 4, 7); DataLoader vl = DataLoader.evaluation(val, 5)) {
            MomentValidation v = new MomentValidation(vl, dir, "val", Predictor.of(Benchmark.QVHIGHLIGHTS, 2), Benchmark.QVHIGHLIGHTS);
            new Trainer(model, gen, tl, v, o, Map.of()).run(resume);
        }
        return model.namedParameters();
    }

    @Test
    void aResumedRunContinuesExactlyAsIfNeverStopped() throws Exception {
        DemoDataset.Layout layout = data();
        Map<String, Tensor> straight = train(layout, tmp.resolve("straight"), 2, false);
        train(layout, tmp.resolve("resumed"), 1, false);                        // "killed" after epoch 1
        Map<String, Tensor> resumed = train(layout, tmp.resolve("resumed"), 2, true);
        for (String name : straight.keySet()) {
            assertThat(resumed.get(name).toFloatArray()).as(name).containsExactly(straight.get(name).toFloatArray());
        }
        Path dir = tmp.resolve("resumed");
        assertThat(dir.resolve(Trainer.LATEST)).exists();
        assertThat(dir.resolve(Trainer.BEST)).exists();
        assertThat(dir.resolve("opt.json")).exists();
        assertThat(dir.resolve("training.png")).exists();
        assertThat(dir.resolve("latest_val_preds.jsonl")).exists();
        assertThat(Files.readAllLines(dir.resolve("metrics.jsonl"))).hasSize(2);          // epoch 0, then the redone epoch 1
        assertThat(new MetricsLog(dir.resolve("metrics.jsonl")).read().get(1)).containsKeys("loss_overall", "MR-full-mAP", "lr", MomentValidation.MEMORY_SPREAD);
    }

    @Test
    void checkpointsRoundTripModelAndOptimizer() throws Exception {
        DemoDataset.Layout layout = data();
        Path dir = tmp.resolve("run");
        Map<String, Tensor> weights = train(layout, dir, 1, false);
        Checkpoint.Loaded c = Checkpoint.load(dir.resolve(Trainer.LATEST));
        assertThat(c.progress().epochsDone()).isEqualTo(1);
        assertThat(c.adamwSteps()).isNotEmpty();
        assertThat(c.expAvg().keySet()).isEqualTo(c.adamwSteps().keySet());
        TrDetr reloaded = Checkpoint.loadModel(dir.resolve(Trainer.LATEST), null);
        for (String name : weights.keySet()) {
            assertThat(reloaded.namedParameters().get(name).toFloatArray()).as(name).containsExactly(weights.get(name).toFloatArray());
        }
    }
}
