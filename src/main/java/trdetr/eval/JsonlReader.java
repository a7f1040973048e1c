package trdetr.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import trdetr.data.JsonlText;
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
        List<String> lines = JsonlText.lines(file);
        List<JsonlLine> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) out.add(parse(file, i + 1, lines.get(i)));
        return out;
    }

    /** One line's text as a JSON object. */
    public static JsonlLine parse(Path file, int lineNo, String text) {
        JsonNode node;
        try {
            node = text.isBlank() ? null : MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "line " + lineNo + ": " + JsonlText.syntaxError(e));
        }
        if (node == null || node.isMissingNode()) throw new FormatException(file, "line " + lineNo + ": empty line, expected a JSON object");
        if (!node.isObject()) throw new FormatException(file, "line " + lineNo + ": expected a JSON object, found " + node.getNodeType().toString().toLowerCase());
        return new JsonlLine(file, lineNo, node);
    }
}
