package trdetr.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import trdetr.io.FormatException;

/** One parsed line of a jsonl file, with where it came from so that errors can name the file and line. */
public record JsonlLine(Path file, int line, JsonNode node) {

    /** An error about this line: "FILE: line N: message". */
    public FormatException error(String message) {
        return new FormatException(file, "line " + line + ": " + message);
    }

    /** "FILE line N", for messages that name several places. */
    public String where() {
        return (file == null ? "<memory>" : file.toString()) + " line " + line;
    }
}
