package trdetr.clip;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jsoup.nodes.Entities;

/**
 * What {@code ftfy.fix_text} (ftfy 6.3, default settings) does to text, less its mojibake repair: CLIP's tokenizer
 * runs every text through it first. docs/clip.md ("Tokenizer") says what is and is not reproduced; FtfyFixesTest
 * holds every code point and a list of entity and escape cases to the real ftfy.
 *
 * <p>The text is fixed line by line (each segment ends after a '\n'); in each, until nothing changes:
 * <ol>
 *   <li>HTML character references that end in a semicolon: the HTML5 names, the all-caps forms of the lower-case
 *       ones that mean nothing to {@code html.unescape} ({@code &EACUTE;} is É, {@code &SZLIG;} SS) and numeric ones;
 *       skipped from the first line that holds a {@code <} on, to the end of the text (ftfy's quirk: the setting,
 *       once switched off, stays off for the lines after).</li>
 *   <li>(Not reproduced: {@code fix_encoding}, the detection and repair of mojibake such as {@code cafÃ©}.)</li>
 *   <li>C1 controls U+0080–009F read as windows-1252; the Latin ligatures and digraphs ﬁ, ﬂ, ĳ, ǆ, ...; fullwidth
 *       and halfwidth forms (U+FF01–FFEF) by their compatibility form, U+3000 by a space; curly quotes straightened;
 *       CR LF, CR, U+2028, U+2029 and U+0085 as LF; lone surrogates as U+FFFD; ANSI terminal escapes removed; control
 *       characters removed (U+0000–0008, 000B, 000E–001F, 007F, 206A–206F, FEFF, FFF9–FFFC); NFC.</li>
 * </ol>
 * ftfy also splits a line longer than a million characters into pieces; that is not reproduced.
 */
public final class FtfyFixes {
    private FtfyFixes() {}

    /** {@code ftfy.fix_text(text)} without {@code fix_encoding}. */
    public static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int lineBreak = text.indexOf('\n', pos);
            int end = lineBreak < 0 ? text.length() : lineBreak + 1;
            String segment = text.substring(pos, end);
            if (segment.indexOf('<') >= 0) unescapeHtml = false;
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    private static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String before = text;
            if (unescapeHtml) text = unescapeHtml(text);
            text = translate(text);
            text = lineBreaks(text);
            text = ClipTextCleaning.replaceLoneSurrogates(text);
            if (text.indexOf('\u001b') >= 0) text = TERMINAL_ESCAPE.matcher(text).replaceAll("");
            text = removeControls(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(before)) return text;
        }
    }

    /**
     * ftfy's own entity decoding: {@code &#?[0-9A-Za-z]{1,24};} replaced by its HTML5 character, by the upper-cased
     * character of an all-caps lower-case name, or (numeric) by what {@code html.unescape} makes of it when that
     * consumes the semicolon; anything else stays.
     */
    static String unescapeHtml(String text) {
        int amp = text.indexOf('&');
        if (amp < 0) return text;
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        for (; amp >= 0; amp = text.indexOf('&', Math.max(amp + 1, from))) {
            int start = amp + 1;
            boolean numeric = start < text.length() && text.charAt(start) == '#';
            int nameStart = numeric ? start + 1 : start;
            int end = nameStart;
            while (end < text.length() && end - nameStart <= 24 && isAsciiAlnum(text.charAt(end))) end++;
            int length = end - nameStart;
            if (length < 1 || length > 24 || end >= text.length() || text.charAt(end) != ';') continue;
            String reference = text.substring(amp, end + 1);
            String replacement = numeric ? numericReference(reference) : namedReference(text.substring(nameStart, end));
            if (replacement == null) continue;
            out.append(text, from, amp).append(replacement);
            from = end + 1;
        }
        return out.append(text, from, text.length()).toString();
    }

    private static boolean isAsciiAlnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static String numericReference(String reference) {
        String decoded = HtmlUnescape.unescape(reference);
        return decoded.indexOf(';') >= 0 ? null : decoded;
    }

    private static String namedReference(String name) {
        if (Entities.isNamedEntity(name)) return Entities.getByName(name);
        // An all-caps form of a lower-case name, unless html.unescape would read the all-caps form as something.
        String lower = name.toLowerCase(Locale.ROOT);
        if (!name.equals(lower.toUpperCase(Locale.ROOT)) || !Entities.isNamedEntity(lower)) return null;
        String reference = "&" + name + ";";
        if (!HtmlUnescape.unescape(reference).equals(reference)) return null;
        return Entities.getByName(lower).toUpperCase(Locale.ROOT);
    }

    /** C1 controls, ligatures, character widths, curly quotes: one code point at a time. */
    private static String translate(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            String replacement = replacement(cp);
            if (replacement != null) {
                if (out == null) out = new StringBuilder(text.length()).append(text, 0, i);
                out.append(replacement);
            } else if (out != null) {
                out.append(text, i, next);
            }
            i = next;
        }
        return out == null ? text : out.toString();
    }

    /**
     * What ftfy's translating fixers make of one code point, in their order (each sees the one before's output: a C1
     * control becomes a windows-1252 character that the quote fixer may straighten), or null if they keep it.
     */
    private static String replacement(int cp) {
        String s = null;
        if (cp >= 0x80 && cp <= 0x9F) {
            char c = HtmlUnescape.windows1252(cp);
            if (c != cp) s = String.valueOf(c);
        } else {
            s = ligature(cp);
            if (s == null && (cp == 0x3000 || (cp >= 0xFF01 && cp <= 0xFFEF))) {
                String compatible = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
                if (!compatible.equals(new String(Character.toChars(cp)))) s = cp == 0x3000 ? " " : compatible;
            }
        }
        String in = s == null ? new String(Character.toChars(cp)) : s;
        String uncurled = uncurl(in);
        return uncurled.equals(new String(Character.toChars(cp))) ? null : uncurled;
    }

    /** The Latin ligatures and legacy digraphs ftfy takes apart (it leaves æ, œ and the like alone). */
    private static String ligature(int cp) {
        return switch (cp) {
            case 0x0132 -> "IJ";
            case 0x0133 -> "ij";
            case 0x0149 -> "\u02BCn";                // ŉ: modifier apostrophe, n
            case 0x01F1 -> "DZ";
            case 0x01F2 -> "Dz";
            case 0x01F3 -> "dz";
            case 0x01C4 -> "D\u017D";
            case 0x01C5 -> "D\u017E";
            case 0x01C6 -> "d\u017E";
            case 0x01C7 -> "LJ";
            case 0x01C8 -> "Lj";
            case 0x01C9 -> "lj";
            case 0x01CA -> "NJ";
            case 0x01CB -> "Nj";
            case 0x01CC -> "nj";
            case 0xFB00 -> "ff";
            case 0xFB01 -> "fi";
            case 0xFB02 -> "fl";
            case 0xFB03 -> "ffi";
            case 0xFB04 -> "ffl";
            case 0xFB05 -> "\u017Ft";                // ﬅ: long s, t
            case 0xFB06 -> "st";
            default -> null;
        };
    }

    /** U+02BC and U+2018–201B as an apostrophe, U+201C–201F as a double quote. */
    private static String uncurl(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char r = c == 0x02BC || (c >= 0x2018 && c <= 0x201B) ? '\'' : c >= 0x201C && c <= 0x201F ? '"' : c;
            if (r != c && out == null) out = new StringBuilder(s).delete(i, s.length());
            if (out != null) out.append(r);
        }
        return out == null ? s : out.toString();
    }

    private static String lineBreaks(String text) {
        if (text.indexOf('\r') < 0 && text.indexOf('\u2028') < 0 && text.indexOf('\u2029') < 0 && text.indexOf('\u0085') < 0) {
            return text;
        }
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    /** ESC [ then digits (any script's, as Python's \d) and semicolons, then an ASCII letter. */
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001b\\[(?:\\d|;)*[a-zA-Z]", Pattern.UNICODE_CHARACTER_CLASS);

    private static String removeControls(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean drop = c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0x206A && c <= 0x206F)
                    || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
            if (drop && out == null) out = new StringBuilder(text.length()).append(text, 0, i);
            if (!drop && out != null) out.append(c);
        }
        return out == null ? text : out.toString();
    }
}
