package trdetr.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link HtmlUnescape} against Python's {@code html.unescape}, and {@link FtfyFixes}' entity decoding and whole fix
 * against ftfy's, on the cases of src/test/resources/clip/html_unescape.jsonl (tools/clip_tokenizer_reference.py):
 * every HTML5 name with and without its semicolon, the legacy names' longest-prefix rule, all-caps names, numeric
 * references at every boundary (controls, windows-1252, surrogates, noncharacters, beyond U+10FFFF, leading zeros),
 * and 1,500 random strings of '&', '#', 'x', ';', digits and name letters.
 */
class HtmlUnescapeTest {
    /** One case: the text, then what html.unescape, ftfy's unescape_html and ftfy.fix_text (no fix_encoding) make of it. */
    record Case(String text, String unescaped, String ftfyUnescaped, String ftfyFixed) {}

    static List<Case> cases() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Case> cases = new ArrayList<>();
        for (String line : Files.readAllLines(ClipTestFiles.resource("html_unescape.jsonl"))) {
            JsonNode row = json.readTree(line);
            if (!row.isArray()) continue;                         // the comment line
            String[] v = new String[4];
            for (int i = 0; i < 4; i++) v[i] = row.get(i).isTextual() ? row.get(i).asText() : v[i - 1]; // 0: as before
            cases.add(new Case(v[0], v[1], v[2], v[3]));
        }
        return cases;
    }

    @Test void unescapesAsPython() throws IOException {
        List<Case> cases = cases();
        assertThat(cases).hasSizeGreaterThan(6000);
        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
            String ours = HtmlUnescape.unescape(c.text());
            if (!ours.equals(c.unescaped())) wrong.add(show(c.text()) + " -> " + show(ours) + ", Python " + show(c.unescaped()));
        }
        assertThat(wrong).as("html.unescape").isEmpty();
    }

    @Test void decodesEntitiesAsFtfy() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Case c : cases()) {
            String ours = FtfyFixes.unescapeHtml(c.text());
            if (!ours.equals(c.ftfyUnescaped())) wrong.add(show(c.text()) + " -> " + show(ours) + ", ftfy " + show(c.ftfyUnescaped()));
            String fixed = FtfyFixes.fixText(c.text());
            if (!fixed.equals(c.ftfyFixed())) wrong.add("fix_text " + show(c.text()) + " -> " + show(fixed) + ", ftfy " + show(c.ftfyFixed()));
        }
        assertThat(wrong).as("ftfy's unescape_html and fix_text").isEmpty();
    }

    @Test void everyHtml5NameIsCovered() throws IOException {
        // 2,231 names: each appears as "&name" in the cases; those with a semicolon decode to something else.
        long named = cases().stream().filter(c -> c.text().matches("&[A-Za-z0-9]+;?")).count();
        assertThat(named).isGreaterThanOrEqualTo(2231);
        assertThat(HtmlUnescape.unescape("&NotEqualTilde;")).isEqualTo("\u2242\u0338");
        assertThat(HtmlUnescape.unescape("&notit;")).isEqualTo("\u00acit;");
        assertThat(HtmlUnescape.unescape("&#x80;&#150;&#0;&#xD800;&#1;")).isEqualTo("\u20ac\u2013\ufffd\ufffd");
    }

    /** A string made printable for a message (Java escapes for anything outside printable ASCII). */
    static String show(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\') sb.append((char) cp);
            else sb.append(String.format(cp > 0xffff ? "\\U%08x" : "\\u%04x", cp));
        });
        return sb.append('"').toString();
    }
}
