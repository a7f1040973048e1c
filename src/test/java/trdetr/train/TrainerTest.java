package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.data.DemoDataset;
import trdetr.inference.MomentValidation;
import trdetr.model.TrDetr;
import trdetr.tensor.Tensor;

class TrainerTest {
    @TempDir Path tmp;

    private DemoDataset.Layout data() throws Exception { return SmallRun.data(tmp.resolve("demo")); }

    private static Map<String, Tensor> train(DemoDataset.Layout layout, Path dir, int epochs, boolean resume) throws Exception {
        return SmallRun.train(layout, dir, epochs, resume);
    }

    @Test
    void aResumedRunContinuesExactlyAsIfNeverStopped() throws Exception {
        DemoDataset.Layout layout = data();
        Map<String, Tensor> straight = train(layout, tmp.resolve("straight"), 2, false);
        train(layout, tmp.resolve("resumed"), 1, false);                        // "killed" after epoch 1
        Map<String, Tensor> resumed = train(layout, tmp.resolve("resumed"), 2, true);
        SmallRun.assertBitIdentical(resumed, straight);
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
        SmallRun.assertBitIdentical(reloaded.namedParameters(), weights);
    }

    @Test
    void resumeWithoutACheckpointStopsAndSaysSo() throws Exception {
        DemoDataset.Layout layout = data();
        Path dir = tmp.resolve("never-ran");
        assertThatThrownBy(() -> train(layout, dir, 1, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--resume: " + dir.resolve(Trainer.LATEST) + " does not exist, so there is nothing to resume; "
                            + "run without --resume to start afresh");
        assertThat(dir.resolve("metrics.jsonl")).doesNotExist();
    }

    @Test
    void aRunRemovesTheTemporaryFilesOfAnInterruptedWriteAndNothingElse() throws Exception {
        DemoDataset.Layout layout = data();
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path orphan = Files.writeString(dir.resolve(".latest.ckpt.5eed0123.tmp"), "half a checkpoint");
        Path mine = Files.writeString(dir.resolve("notes.tmp"), "the user's");
        train(layout, dir, 1, false);
        assertThat(orphan).doesNotExist();
        assertThat(mine).exists();
    }

    @Test
    void aRunIsRefusedWhileAnotherOwnsTheDirectory() throws Exception {
        DemoDataset.Layout layout = data();
        Path dir = tmp.resolve("run");
        try (RunLock other = RunLock.acquire(dir)) {
            assertThatThrownBy(() -> train(layout, dir, 1, false)).hasMessageContaining(": another training run (pid ");
        }
        assertThat(dir.resolve("metrics.jsonl")).doesNotExist();
    }
}
