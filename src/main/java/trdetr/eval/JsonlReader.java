package trdetr.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import trdetr.io.FormatException;

/**
 * Reads a jsonl file the way the official {@code load_jsonl} does: text lines split at \n, \r\n or \r (Python's
 * universal newlines), each one a JSON value ({@code json.loads}, which also accepts NaN and ±Infinity); a final
 * newline ends the last line rather than starting an empty one, but any other empty line is an error, as in Python.
 * Every line here must be a JSON object; errors name the file and the line.
 */
public final class JsonlReader {
    private JsonlReader() {}

    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** All lines of the file, in order. */
    public static List<JsonlLine> read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "no such file");
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "not UTF-8 text");
        }
        List<JsonlLine> out = new ArrayList<>();
        int start = 0, lineNo = 0, n = text.length();
        while (start < n) {
            int end = start;
            while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') end++;
            lineNo++;
            out.add(parse(file, lineNo, text.substring(start, end)));
            if (end < n && text.charAt(end) == '\r' && end + 1 < n && text.charAt(end + 1) == '\n') end++;
            start = end + 1;
        }
        return out;
    }

    /** One line's text as a JSON object. */
    public static JsonlLine parse(Path file, int lineNo, String text) {
        JsonNode node;
        try {
            node = text.isBlank() ? null : MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage().lines().findFirst().orElse("");
            // Jackson appends where the enclosing value started, with a "[Source: ...]" we do not want in one line.
            int cut = why.indexOf(" (start marker at");
            if (cut >= 0) why = why.substring(0, cut);
            int col = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw new FormatException(file, "line " + lineNo + ": not valid JSON" + (col > 0 ? " at column " + col : "") + ": " + why);
        }
        if (node == null || node.isMissingNode()) throw new FormatException(file, "line " + lineNo + ": empty line, expected a JSON object");
        if (!node.isObject()) throw new FormatException(file, "line " + lineNo + ": expected a JSON object, found " + node.getNodeType().toString().toLowerCase());
        return new JsonlLine(file, lineNo, node);
    }
}
