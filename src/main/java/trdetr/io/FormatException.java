package trdetr.io;

import java.nio.file.Path;

/**
 * A file that cannot be read: malformed, truncated, of an unsupported kind, or asking for something not allowed
 * (a pickle global outside the allow-list). The message is one line, "FILE: what is wrong", naming the key or
 * field at fault.
 */
public class FormatException extends RuntimeException {
    private final transient Path file;

    public FormatException(Path file, String message) {
        super((file == null ? "" : file + ": ") + oneLine(message));
        this.file = file;
    }

    public FormatException(Path file, String message, Throwable cause) {
        this(file, message);
        initCause(cause);
    }

    /**
     * What a JSON parser objected to, for a one-line message: Jackson's own text, first line only, without the
     * "(start marker at [Source...])" tail (its location, where wanted, the caller gives from the exception).
     */
    public static String jsonReason(com.fasterxml.jackson.core.JsonProcessingException e) {
        String why = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage().lines().findFirst().orElse("syntax error");
        int cut = why.indexOf(" (start marker at");
        return cut >= 0 ? why.substring(0, cut) : why;
    }

    /** The file at fault (null when the data did not come from a file). */
    public Path file() { return file; }

    /** Text from a file made printable for a message: control characters escaped, at most 120 characters. */
    static String quote(String s) {
        if (s == null) return "None";
        StringBuilder sb = new StringBuilder("'");
        int n = Math.min(s.length(), 120);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\'') sb.append('\\').append(c);
            else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        if (s.length() > n) sb.append("...");
        return sb.append('\'').toString();
    }

    /**
     * The message on one line: every character a terminal or log reader might break a line at, or act on (control
     * characters, NEL, the Unicode line and paragraph separators), escaped. Messages quote text from files.
     */
    /** Text made one line: line breaks and other control characters escaped (also for other one-line errors). */
    public static String oneLine(String message) {
        if (message == null) return "";
        StringBuilder sb = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\n') sb.append("\\n");
            else if (c == '\r') sb.append("\\r");
            else if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }
}
