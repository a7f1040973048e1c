package trdetr.clip;

import java.util.Locale;

/**
 * What CLIP's tokenizer does to a text before splitting it: {@code ftfy.fix_text} ({@link FtfyFixes}, optional),
 * {@code html.unescape} twice ({@link HtmlUnescape}), Python's {@code strip()}, every run of {@code regex}'s
 * {@code \s} made one space and {@code strip()} again, then Python's {@code lower()}.
 */
public final class ClipTextCleaning {
    private ClipTextCleaning() {}

    /** The text as the reference hands it to its split pattern; {@code ftfy}: apply {@link FtfyFixes} first. */
    public static String clean(String text, boolean ftfy) {
        String t = ftfy ? FtfyFixes.fixText(text) : replaceLoneSurrogates(text);
        t = strip(HtmlUnescape.unescape(HtmlUnescape.unescape(t)));
        t = strip(collapseSpaces(t));
        // Python's str.lower(): full Unicode lower-casing, İ as i + U+0307 and Σ as ς at a word's end (Final_Sigma),
        // as String.toLowerCase does with a locale that has no rules of its own.
        return t.toLowerCase(Locale.ROOT);
    }

    /**
     * The characters of {@code regex}'s {@code \s} (the Unicode White_Space property): TAB to CR, space, U+0085,
     * U+00A0, U+1680, U+2000–200A, U+2028, U+2029, U+202F, U+205F, U+3000. Not Java's {@code \s} nor
     * {@link Character#isWhitespace}, which leave out the no-break spaces.
     */
    static boolean isRegexSpace(int cp) {
        if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** Python's {@code str.isspace()} for one code point: {@code \s}, and the separators U+001C–001F. */
    static boolean isPythonSpace(int cp) {
        return isRegexSpace(cp) || (cp >= 0x1C && cp <= 0x1F);
    }

    /** Python's {@code str.strip()}: {@link #isPythonSpace} characters off both ends (all of them are in the BMP). */
    static String strip(String s) {
        int start = 0, end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) start++;
        while (end > start && isPythonSpace(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }

    /** {@code regex.sub(r'\s+', ' ', s)}. */
    static String collapseSpaces(String s) {
        StringBuilder out = null;
        int n = s.length();
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            if (!isRegexSpace(c) || (c == ' ' && (i + 1 == n || !isRegexSpace(s.charAt(i + 1))))) {
                if (out != null) out.append(c);
                i++;
                continue;
            }
            if (out == null) out = new StringBuilder(n).append(s, 0, i);
            out.append(' ');
            while (i < n && isRegexSpace(s.charAt(i))) i++;
        }
        return out == null ? s : out.toString();
    }

    /**
     * Lone surrogates (possible in a Java string, never in text decoded from UTF-8) as U+FFFD, as ftfy does; without
     * ftfy the reference could not encode them at all (Python's UTF-8 encoder refuses them).
     */
    static String replaceLoneSurrogates(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (paired) {
                if (out != null) out.append(c).append(s.charAt(i + 1));
                i++;
                continue;
            }
            boolean lone = Character.isSurrogate(c);
            if (lone && out == null) out = new StringBuilder(s.length()).append(s, 0, i);
            if (out != null) out.append(lone ? '\uFFFD' : c);
        }
        return out == null ? s : out.toString();
    }
}
