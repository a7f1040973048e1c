package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job end to end, shrunk: demo data, a few steps of a small model, then predict from its checkpoint. */
class TrainPredictCommandTest {
    @TempDir Path tmp;

    private static String[] run(String... args) { return CliRun.run(args); }

    @Test
    void trainOnTheDemoThenPredictFromTheBestCheckpoint() throws Exception {
        Path results = tmp.resolve("results");
        String[] train = run("train", "--demo-dir", tmp.resolve("demo").toString(), "--results-root", results.toString(),
                "--max-steps", "2", "--n-epoch", "1", "--bsz", "4", "--enc-layers", "1", "--dim-feedforward", "32", "--no-progress");
        assertThat(train[0]).as(train[2]).isEqualTo("0");
        assertThat(train[1]).contains("demo dataset").contains("MR-full-R1@0.5").contains("done: 1 epochs");
        Path run = results.resolve("demo");
        for (String f : new String[] {"best.ckpt", "latest.ckpt", "metrics.jsonl", "training.png", "opt.json", "latest_val_preds.jsonl"}) {
            assertThat(run.resolve(f)).exists();
        }
        String[] predict = run("predict", "--checkpoint", run.resolve("best.ckpt").toString(), "--html-dir", tmp.resolve("pics").toString(),
                "--html-limit", "3");
        assertThat(predict[0]).as(predict[2]).isEqualTo("0");
        Path submission = run.resolve("hl_val_submission.jsonl");
        assertThat(Files.readAllLines(submission)).hasSize(200);
        assertThat(predict[1]).contains("HL-min-VeryGood-mAP").contains("(encoder memory spread ");
        // The same predictions as the validation during training, scored the same.
        assertThat(Files.readString(submission)).isEqualTo(Files.readString(run.resolve("latest_val_preds.jsonl")));
        assertThat(Files.list(tmp.resolve("pics")).count()).isEqualTo(3);
    }

    @Test
    void dataErrorsAreOneLine() {
        String[] r = run("train", "--train-path", tmp.resolve("missing.jsonl").toString(), "--t-feat-dir", tmp.toString(),
                "--v-feat-dirs", tmp.toString(), "--no-progress");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].strip()).startsWith("error: ").contains("missing.jsonl").doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void theDemoHonoursDataOptionsAndRefusesFeatureDirectories() {
        String demo = tmp.resolve("demo").toString(), results = tmp.resolve("results").toString();
        String[] r = run("train", "--demo-dir", demo, "--results-root", results, "--data-ratio", "0.25", "--resume",
                "--enc-layers", "1", "--dim-feedforward", "32", "--no-progress");
        assertThat(r[1]).contains("; 300 training and 50 validation queries;"); // a quarter of 1200 and of 200
        assertThat(r[0]).isEqualTo("2");                                        // and nothing to resume
        assertThat(r[2].strip()).startsWith("error: --resume: ").endsWith("run without --resume to start afresh").doesNotContain("\n");
        String[] f = run("train", "--demo-dir", demo, "--results-root", results, "--t-feat-dir", tmp.toString(), "--no-progress");
        assertThat(f[0]).isEqualTo("2");
        assertThat(f[2].strip()).isEqualTo("error: --t-feat-dir, --v-feat-dirs and --a-feat-dir need --train-path (the demo dataset has its own features)");
    }

    /** A sub-second clip would become clip_length 0 in the model (an int, as officially): refused before anything runs. */
    @Test
    void aFractionalClipLengthIsRefused() {
        String[] r = run("train", "--demo-dir", tmp.resolve("demo").toString(), "--results-root", tmp.resolve("results").toString(),
                "--clip-length", "0.5", "--no-progress");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].strip()).isEqualTo("error: --clip-length 0.5: training needs a whole number of seconds per clip, at least 1 "
                + "(the model's clip_length is an integer, as in the official code)");
        assertThat(tmp.resolve("results")).doesNotExist();
    }
}
