package trdetr.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import trdetr.io.DurableFiles;

/**
 * Writes a submission as the official {@code save_jsonl} does — one {@code json.dumps} line per query, joined by
 * "\n", no final newline — atomically ({@link DurableFiles}).
 */
public final class SubmissionWriter {
    private SubmissionWriter() {}

    /** The file's text. */
    public static String toText(List<SubmissionLine> lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) sb.append('\n');
            sb.append(lines.get(i).toJson());
        }
        return sb.toString();
    }

    public static void write(Path file, List<SubmissionLine> lines) throws IOException {
        DurableFiles.writeString(file, toText(lines));
    }
}
