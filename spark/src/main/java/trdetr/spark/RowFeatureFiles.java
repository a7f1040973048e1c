package trdetr.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import trdetr.data.Annotation;
import trdetr.data.DatasetOptions;
import trdetr.eval.JsonlLine;
import trdetr.eval.JsonlReader;
import trdetr.io.FormatException;

/**
 * Feature files that manifest rows name themselves: {@code "video_features"} (a path, or one path for each
 * {@code --v-feat-dirs} folder, in that order) and {@code "query_features"} (a path), in place of the files the
 * folders hold under the official names. Why links: a task's rows are linked, under those official names, into
 * folders of its own ({@code {vid}.npz} in one folder per video feature, the text file name in another; a row
 * without paths links the folders' own files), and then read by exactly the code {@code predict} reads folders with,
 * so the lines are the same as if the files had been in the folders. The links go when the task is done.
 *
 * <p>A path that is not a file, a wrong number of video paths, or one vid given two different files fails in one line
 * naming the manifest line.
 */
final class RowFeatureFiles implements AutoCloseable {
    private final DatasetOptions base;
    private final Path root, textDir;
    private final List<Path> videoDirs = new ArrayList<>();

    /**
     * Whether any of the rows names feature files of its own. Only a row whose text holds one of the two keys is
     * parsed for it, so a task over a plain manifest parses nothing more; a row that is not JSON counts as naming
     * none (the annotation reader reports it).
     */
    static boolean anyNamesFiles(Path manifest, List<ManifestRow> rows) {
        for (ManifestRow r : rows) {
            if (!r.json().contains("_features\"")) continue;
            try {
                JsonNode n = JsonlReader.parse(manifest, r.line(), r.json()).node();
                if (n.has("video_features") || n.has("query_features")) return true;
            } catch (FormatException e) {
                // reported where the row is read as an annotation
            }
        }
        return false;
    }

    RowFeatureFiles(DatasetOptions base) {
        this.base = base;
        try {
            root = Files.createTempDirectory("trdetr-spark-features-");
            for (int i = 0; i < base.videoDirs().size(); i++) videoDirs.add(Files.createDirectory(root.resolve("video" + i)));
            textDir = Files.createDirectory(root.resolve("text"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The options that read the linked folders. */
    DatasetOptions options() { return base.toBuilder().videoDirs(videoDirs).textDir(textDir).build(); }

    /** Links the row's files: its own where it names them, else the folders'. */
    void add(Annotation a, JsonlLine row) {
        List<Path> video = new ArrayList<>();
        JsonNode v = row.node().get("video_features");
        if (v == null) {
            for (Path dir : base.videoDirs()) video.add(dir.resolve(a.vid() + ".npz"));
        } else {
            if (v.isTextual()) video.add(Path.of(v.asText()));
            else if (v.isArray()) for (JsonNode p : v) video.add(Path.of(requireText(p, row, "video_features")));
            else throw row.error("\"video_features\" must be a path or a list of paths");
            if (video.size() != base.videoDirs().size()) {
                throw row.error("\"video_features\" names " + video.size() + " file" + (video.size() == 1 ? "" : "s") + ", one for each of the "
                        + base.videoDirs().size() + " video feature folders (--v-feat-dirs) is needed");
            }
            for (Path p : video) requireFile(p, row, "video_features");
        }
        for (int i = 0; i < video.size(); i++) link(videoDirs.get(i).resolve(a.vid() + ".npz"), video.get(i), row, "vid " + a.vid());
        String textName = base.kind().textFileName(a.qid());
        JsonNode t = row.node().get("query_features");
        Path text = t == null ? base.textDir().resolve(textName) : requireFile(Path.of(requireText(t, row, "query_features")), row, "query_features");
        link(textDir.resolve(textName), text, row, "qid " + a.qid());
    }

    private static String requireText(JsonNode n, JsonlLine row, String field) {
        if (!n.isTextual() || n.asText().isBlank()) throw row.error("\"" + field + "\" must hold paths (strings)");
        return n.asText();
    }

    private static Path requireFile(Path p, JsonlLine row, String field) {
        if (!Files.isRegularFile(p)) throw row.error("\"" + field + "\": " + p + ": no such file");
        return p;
    }

    /** A link to target (a missing target stays missing: the reader reports it); the same name twice must mean the same file. */
    private static void link(Path link, Path target, JsonlLine row, String what) {
        Path t = target.toAbsolutePath().normalize();
        try {
            if (Files.isSymbolicLink(link)) {
                Path earlier = Files.readSymbolicLink(link);
                if (!earlier.equals(t)) throw row.error(what + " has its features in " + t + " here but in " + earlier + " on an earlier row");
                return;
            }
            Files.createSymbolicLink(link, t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void close() {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // temporary links only: the system's temporary folder is cleaned in time
        }
    }
}
