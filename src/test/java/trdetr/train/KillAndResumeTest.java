package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.io.DurableFiles;

/**
 * Training processes killed with no chance to clean up (Runtime.halt, SIGKILL), then resumed: the resumed run must end
 * with exactly the weights, optimizer state and metrics of a run that never stopped, and no half-written file may ever
 * be read. All runs are child JVMs with the same settings, so they compute identically.
 */
class KillAndResumeTest {
    static final int EPOCHS = 3;
    @TempDir static Path tmp;
    static Path data, straight;

    @BeforeAll
    static void straightRun() throws Exception {
        data = tmp.resolve("demo");
        SmallRun.data(data);
        straight = tmp.resolve("straight");
        assertThat(runChild(0, data.toString(), straight.toString(), String.valueOf(EPOCHS))).isZero();
    }

    /** Runs a child to its end (killing it after killAfterMillis when positive) and returns its exit code. */
    private static int runChild(long killAfterMillis, String... args) throws Exception {
        Process p = SmallRun.child(args).redirectOutput(tmp.resolve("child-" + System.nanoTime() + ".log").toFile()).start();
        if (killAfterMillis > 0 && !p.waitFor(killAfterMillis, TimeUnit.MILLISECONDS)) p.destroyForcibly();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("child finished").isTrue();
        return p.exitValue();
    }

    private static void assertSameEnd(Path run) throws Exception {
        Checkpoint.Loaded a = Checkpoint.load(straight.resolve(Trainer.LATEST)), b = Checkpoint.load(run.resolve(Trainer.LATEST));
        assertThat(b.progress().epochsDone()).isEqualTo(EPOCHS);
        SmallRun.assertBitIdentical(b.modelWeights(), a.modelWeights());
        SmallRun.assertBitIdentical(b.expAvg(), a.expAvg());
        SmallRun.assertBitIdentical(b.expAvgSq(), a.expAvgSq());
        assertThat(b.adamwSteps()).isEqualTo(a.adamwSteps());
        assertThat(metricsWithoutTimes(run)).isEqualTo(metricsWithoutTimes(straight));
        try (Stream<Path> files = Files.list(run)) {
            assertThat(files.filter(DurableFiles::isTemporary).toList()).as("temporary files left").isEmpty();
        }
    }

    private static List<String> metricsWithoutTimes(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8).stream()
                .map(l -> l.replaceAll("\"seconds\":[0-9.eE+-]+,?", "")).toList();
    }

    @Test
    void killedInsideACheckpointWriteResumesExactly() throws Exception {
        Path run = tmp.resolve("killed-in-write");
        // The second latest.ckpt (after epoch 2) is on disk as a temporary file, not yet renamed, when the JVM dies.
        int code = runChild(0, "-Dtrdetr.io.haltBeforeRename=" + Trainer.LATEST + ":2", data.toString(), run.toString(), String.valueOf(EPOCHS));
        assertThat(code).isEqualTo(137);
        try (Stream<Path> files = Files.list(run)) {
            assertThat(files.filter(DurableFiles::isTemporary).count()).as("the interrupted write's temporary file").isEqualTo(1);
        }
        assertThat(Checkpoint.load(run.resolve(Trainer.LATEST)).progress().epochsDone()).as("the last good checkpoint").isEqualTo(1);
        assertThat(runChild(0, data.toString(), run.toString(), String.valueOf(EPOCHS), "resume")).isZero();
        assertSameEnd(run);
    }

    @Test
    void killedAtRandomMomentsResumesExactly() throws Exception {
        Path run = tmp.resolve("killed-at-random");
        Random random = new Random(20);
        // Kill twice at seeded random moments, then let it finish; each restart resumes if a checkpoint exists.
        for (int kill = 0; kill < 3; kill++) {
            long after = kill < 2 ? 1500 + random.nextInt(6000) : 0;
            boolean resume = Files.exists(run.resolve(Trainer.LATEST));
            String[] args = resume ? new String[] {data.toString(), run.toString(), String.valueOf(EPOCHS), "resume"}
                                   : new String[] {data.toString(), run.toString(), String.valueOf(EPOCHS)};
            int code = runChild(after, args);
            if (kill == 2) assertThat(code).isZero();
        }
        assertSameEnd(run);
    }
}
