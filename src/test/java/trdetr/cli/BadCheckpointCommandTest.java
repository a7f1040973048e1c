package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.train.BadCheckpoints;

/**
 * The commands that read a checkpoint (predict --checkpoint, verify --weights) on one with bad metadata: exit code 2
 * and one line naming the file and the key, no stack trace. (eval reads a submission, never a checkpoint.)
 */
class BadCheckpointCommandTest {
    @TempDir static Path tmp;
    private static Path valid;

    @BeforeAll
    static void writeValid() throws Exception { valid = BadCheckpoints.valid(tmp.resolve("valid.ckpt")); }

    @Test
    void predictRefusesBadModelOptions() throws Exception {
        Path bad = BadCheckpoints.edited(valid, tmp.resolve("heads.ckpt"), "model_options/nheads", "0");
        assertOneLineError(CliRun.run("predict", "--checkpoint", bad.toString()), bad + ": model option 'nheads' is 0; it must be between 1 and 256");
    }

    @Test
    void predictRefusesBadProgress() throws Exception {
        Path bad = BadCheckpoints.edited(valid, tmp.resolve("epoch.ckpt"), "epochs_done", "\"3\"");
        assertOneLineError(CliRun.run("predict", "--checkpoint", bad.toString()), bad + ": checkpoint field 'epochs_done' is '3'; it must be a whole number");
    }

    @Test
    void predictRefusesBadRunOptions() throws Exception {
        Path bad = BadCheckpoints.edited(valid, tmp.resolve("run.ckpt"), "run_options",
                "{\"t_feat_dir\": \"t\", \"v_feat_dirs\": [\"v\"], \"max_v_l\": 1000000000000}");
        Path eval = Files.writeString(tmp.resolve("val.jsonl"), "{}\n");
        assertOneLineError(CliRun.run("predict", "--checkpoint", bad.toString(), "--eval-path", eval.toString()),
                bad + ": checkpoint field run_options 'max_v_l' is 1000000000000, beyond the int range");
        Path dirs = BadCheckpoints.edited(valid, tmp.resolve("dirs.ckpt"), "run_options", "{\"t_feat_dir\": \"t\", \"v_feat_dirs\": \"v\"}");
        assertOneLineError(CliRun.run("predict", "--checkpoint", dirs.toString(), "--eval-path", eval.toString()),
                dirs + ": checkpoint field run_options 'v_feat_dirs' is 'v'; it must be a list of directories");
    }

    @Test
    void verifyRefusesBadWeightsFile() throws Exception {
        Path bad = BadCheckpoints.edited(valid, tmp.resolve("queries.ckpt"), "model_options/num_queries", "1000000000");
        assertOneLineError(CliRun.run("verify", "--reference", "src/test/reference/reference_small.npz", "--weights", bad.toString()),
                bad + ": model option 'num_queries' is 1000000000; it must be between 1 and 10000");
    }

    private static void assertOneLineError(String[] run, String message) {
        assertThat(run[0]).as(run[2]).isEqualTo("2");
        assertThat(run[2]).isEqualTo("error: " + message + System.lineSeparator());
    }
}
