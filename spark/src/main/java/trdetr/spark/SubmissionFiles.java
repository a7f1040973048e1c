package trdetr.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SaveMode;
import trdetr.io.DurableFiles;

/**
 * Writes the job's submission lines through Spark's output committer, so that a failed job leaves no partial output.
 *
 * <p>Parquet: a folder of part files with the submission's fields as columns ({@code qid}, {@code query},
 * {@code vid}, {@code pred_relevant_windows}, {@code pred_saliency_scores}), as Spark's JSON reader types them.
 *
 * <p>jsonl: the one file {@code trdetr predict} writes. Spark writes the lines as text part files into a folder next
 * to the target (in partition order, which is manifest order); once its committer has marked them complete
 * ({@code _SUCCESS}), the driver joins them into the target in one atomic replace ({@link DurableFiles}), with the
 * official layout (lines joined by "\n", no final newline), and removes the folder. So the target is either the old
 * file or the whole new one. The target must be on a file system the driver and the executors share (local mode,
 * NFS); on a cluster without one, write Parquet to HDFS or object storage.
 */
final class SubmissionFiles {
    private SubmissionFiles() {}

    static void writeParquet(Dataset<String> lines, String target) {
        lines.sparkSession().read().json(lines).write().mode(SaveMode.ErrorIfExists).parquet(target);
    }

    static void writeJsonl(JavaRDD<String> lines, Path target) throws IOException {
        Path parts = partsFolder(target);
        deleteTree(parts);                                 // what a killed run left
        // "file:" and not a URI: a cluster's default file system is not the driver's disk, and URI escaping would rename "[".
        // The RDD writer, not the DataFrame one: the same commit protocol without starting Spark SQL (seconds).
        lines.saveAsTextFile("file:" + parts);
        if (!Files.exists(parts.resolve("_SUCCESS"))) throw new IOException(parts + ": Spark's committer did not mark the output complete");
        List<Path> files;
        try (Stream<Path> s = Files.list(parts)) {
            // By partition number (part-00000, ..., part-100000: more than five digits would not sort as text).
            files = s.filter(p -> p.getFileName().toString().matches("part-\\d+"))
                    .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(5)))).toList();
        }
        DurableFiles.write(target, out -> {
            boolean first = true;
            for (Path part : files) {
                try (BufferedReader in = Files.newBufferedReader(part, StandardCharsets.UTF_8)) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        if (!first) out.write('\n');
                        out.write(line.getBytes(StandardCharsets.UTF_8));
                        first = false;
                    }
                }
            }
        });
        deleteTree(parts);
    }

    /** Where Spark writes the parts of {@code target}: a hidden folder beside it, named after it. */
    static Path partsFolder(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".spark-parts");
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir, e);
        }
    }
}
