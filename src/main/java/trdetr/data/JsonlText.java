package trdetr.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import trdetr.io.FormatException;
import trdetr.io.Utf8;

/**
 * The text side of reading a jsonl file, shared by the annotation reader and the evaluator's reader so that both
 * report a bad file the same way, in one line naming the file and the line: the lines of a UTF-8 file (split at \n,
 * \r\n or \r, as Python's universal newlines and {@link java.io.BufferedReader#readLine} do; a final newline ends
 * the last line rather than starting an empty one), and Jackson's syntax errors cut to their first line.
 */
public final class JsonlText {
    private JsonlText() {}

    /**
     * The file's lines. A missing or unreadable file, or bytes that are not UTF-8, is a {@link FormatException}
     * naming the file (and the line and column of the first bad byte): the JDK's own decoding error says only
     * "Input length = 1".
     */
    public static List<String> lines(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "no such file");
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = bytes.length;
        while (start < n) {
            // \r and \n never occur inside a multi-byte UTF-8 sequence, so splitting the bytes first is safe.
            int end = start;
            while (end < n && bytes[end] != '\n' && bytes[end] != '\r') end++;
            try {
                out.add(Utf8.decode(bytes, start, end - start));
            } catch (Utf8.Malformed e) {
                int bad = start + e.offset;
                throw new FormatException(file, "line " + (out.size() + 1) + ": not UTF-8 text (byte 0x"
                        + String.format("%02x", bytes[bad] & 0xff) + " at byte " + (bad - start + 1) + " of the line)");
            }
            if (end + 1 < n && bytes[end] == '\r' && bytes[end + 1] == '\n') end++;
            start = end + 1;
        }
        return out;
    }

    /** Jackson's message for a syntax error in one line: its first line, without the "(start marker at [Source...])" tail. */
    public static String syntaxError(JsonProcessingException e) {
        String why = FormatException.jsonReason(e);
        int col = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
        return "not valid JSON" + (col > 0 ? " at column " + col : "") + ": " + why;
    }
}
