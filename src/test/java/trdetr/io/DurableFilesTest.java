package trdetr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one writer: all or nothing, failures named, its own leftovers (and only those) removable. */
class DurableFilesTest {
    @TempDir Path tmp;

    private long temporaries() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(DurableFiles::isTemporary).count();
        }
    }

    @Test
    void replacesTheTargetAndCreatesItsDirectory() throws Exception {
        Path target = tmp.resolve("a/b/result.json");
        DurableFiles.writeString(target, "first");
        DurableFiles.writeString(target, "second, longer");
        assertThat(Files.readString(target)).isEqualTo("second, longer");
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("result.json");
        }
    }

    @Test
    void aFailingWriteKeepsTheLastGoodContentLeavesNoTemporaryFileAndNamesTheTarget() throws Exception {
        Path target = tmp.resolve("latest.ckpt");
        DurableFiles.writeString(target, "good");
        assertThatThrownBy(() -> DurableFiles.write(target, out -> {
            out.write(new byte[100_000]); // partly on disk already when the disk fills
            throw new IOException("No space left on device");
        })).isInstanceOf(IOException.class).hasMessage("cannot write " + target.toAbsolutePath() + ": No space left on device");
        assertThat(Files.readString(target)).isEqualTo("good");
        assertThat(temporaries()).isZero();

        assertThatThrownBy(() -> DurableFiles.write(target, out -> { throw new IllegalStateException("bug"); }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(Files.readString(target)).isEqualTo("good");
        assertThat(temporaries()).isZero();
    }

    @Test
    void aTargetThatIsADirectoryIsNamed() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("occupied"));
        Files.writeString(target.resolve("inside"), "x");
        assertThatThrownBy(() -> DurableFiles.writeString(target, "text"))
                .hasMessageStartingWith("cannot write " + target.toAbsolutePath() + ": ").hasMessageNotContaining("\n");
        assertThat(temporaries()).isZero();
    }

    @Test
    void removesOnlyItsOwnTemporaryFiles() throws Exception {
        for (String name : new String[] {".latest.ckpt.3f2a9c01be77d410.tmp", ".metrics.jsonl.0.tmp"}) Files.writeString(tmp.resolve(name), "half");
        for (String name : new String[] {"latest.ckpt", "notes.tmp", ".hidden", ".x.notHex.tmp", ".lock"}) Files.writeString(tmp.resolve(name), "keep");
        assertThat(DurableFiles.removeOrphans(tmp)).isEqualTo(2);
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("latest.ckpt", "notes.tmp", ".hidden", ".x.notHex.tmp", ".lock");
        }
        assertThat(DurableFiles.removeOrphans(tmp.resolve("absent"))).isZero();
    }

    @Test
    void appendsLineByLine() throws Exception {
        Path log = tmp.resolve("logs/metrics.jsonl");
        Files.createDirectories(log.getParent());
        DurableFiles.append(log, "{\"epoch\":1}\n");
        DurableFiles.append(log, "{\"epoch\":2}\n");
        assertThat(Files.readAllLines(log, StandardCharsets.UTF_8)).containsExactly("{\"epoch\":1}", "{\"epoch\":2}");
        assertThatThrownBy(() -> DurableFiles.append(tmp.resolve("missing/dir/log"), "x"))
                .hasMessage("cannot write " + tmp.resolve("missing/dir/log").toAbsolutePath() + ": no such file or directory");
    }
}
