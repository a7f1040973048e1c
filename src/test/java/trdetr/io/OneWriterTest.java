package trdetr.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every file the project writes goes through {@link DurableFiles} (temporary file, fsync, rename, fsync of the
 * directory): no other class of src/main may open a file for writing, move one into place or append to one. A new
 * writer that bypasses it fails here, by name and line, instead of losing data after a crash some day.
 */
class OneWriterTest {
    /** The JDK's ways of writing a file. */
    private static final Pattern RAW_WRITE = Pattern.compile(
            "(?<![A-Za-z])Files\\.(write|writeString|move|copy|newOutputStream|newBufferedWriter)\\(|new (FileOutputStream|FileWriter|RandomAccessFile)\\("
            + "|new PrintWriter\\([^)]*(File|Path)|StandardOpenOption\\.(WRITE|APPEND)|ImageIO\\.write\\([^)]*(File|toFile)");

    /** The writer itself, and the run lock (a lock file, rewritten in place while held, not a result). */
    private static final Map<String, String> ALLOWED = Map.of(
            "trdetr/io/DurableFiles.java", "the one writer",
            "trdetr/train/RunLock.java", "the lock file of a results directory");

    @Test
    void everyWriteInSrcMainGoesThroughDurableFiles() throws Exception {
        Path root = Path.of("src/main/java");
        List<String> raw = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String name = root.relativize(f).toString().replace('\\', '/');
                if (ALLOWED.containsKey(name)) continue;
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (RAW_WRITE.matcher(lines.get(i)).find()) raw.add(name + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertThat(raw).as("writes that bypass DurableFiles").isEmpty();
    }

    /** The pattern catches each way of writing it is meant to catch (so that the test above can fail). */
    @Test
    void thePatternSeesTheWaysOfWriting() {
        for (String line : List.of("Files.writeString(tmp, text);", "Files.move(tmp, file, REPLACE_EXISTING);", "new FileOutputStream(f)",
                "FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.APPEND)", "ImageIO.write(img, \"png\", tmp.toFile());",
                "Files.newBufferedWriter(p, UTF_8)", "new PrintWriter(file.toFile())")) {
            assertThat(RAW_WRITE.matcher(line).find()).as(line).isTrue();
        }
        assertThat(RAW_WRITE.matcher("DurableFiles.writeString(out, json);").find()).isFalse();
        assertThat(RAW_WRITE.matcher("FileChannel.open(file, StandardOpenOption.READ)").find()).isFalse();
    }
}
