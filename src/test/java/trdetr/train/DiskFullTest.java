package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.data.DemoDataset;
import trdetr.io.DurableFiles;

/**
 * A disk that fills up during training: the run stops with an error naming the file it could not write, the last
 * good checkpoint stays in place, and no temporary file is left behind. The full disk is a small tmpfs, which needs
 * root (CI and the development machines run as root); elsewhere the test is skipped, saying so.
 */
class DiskFullTest {
    @TempDir Path tmp;

    private static boolean sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
    }

    @Test
    void aFullDiskNamesTheFileAndKeepsTheLastGoodCheckpoint() throws Exception {
        DemoDataset.Layout layout = SmallRun.data(tmp.resolve("demo"));
        Path measured = tmp.resolve("measured");
        SmallRun.train(layout, measured, 1, false);                         // what one epoch leaves on disk
        long afterOneEpoch = size(measured), checkpoint = Files.size(measured.resolve(Trainer.LATEST));

        Path disk = Files.createDirectories(tmp.resolve("disk"));
        // room for the first epoch's files and half a checkpoint more (tmpfs counts whole pages)
        long bytes = afterOneEpoch + checkpoint / 2 + 16 * 4096;
        assumeTrue(sh("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", disk.toString()),
                "cannot mount a small tmpfs here (needs root) to fill a disk");
        try {
            Path run = disk.resolve("run");
            assertThatThrownBy(() -> SmallRun.train(layout, run, 3, false))
                    .isInstanceOf(IOException.class)
                    .hasMessageMatching("cannot write " + java.util.regex.Pattern.quote(run.toString()) + "/[a-z_.]+: No space left on device")
                    .hasMessageNotContaining("\n");
            assertThat(Checkpoint.load(run.resolve(Trainer.LATEST)).progress().epochsDone()).as("the last good checkpoint").isEqualTo(1);
            try (Stream<Path> files = Files.list(run)) {
                assertThat(files.filter(DurableFiles::isTemporary).toList()).as("temporary files left").isEmpty();
            }
        } finally {
            sh("umount", disk.toString());
        }
    }
}
