package trdetr.clip;

import java.nio.charset.Charset;
import org.jsoup.nodes.Entities;

/**
 * Python's {@code html.unescape} (3.11), exactly, which CLIP's tokenizer applies twice to every text.
 *
 * <p>It replaces, left to right and without rescanning what it put in:
 * <ul>
 *   <li>{@code &#DIGITS;?} and {@code &#xHEX;?} ({@code x} or {@code X}, ASCII digits only, any number of them): code
 *       0 gives U+FFFD, 13 gives CR, 0x80 to 0x9F give what those bytes are in windows-1252 (the five it leaves
 *       undefined stay themselves); a surrogate or anything above U+10FFFF gives U+FFFD; the other control
 *       characters that HTML forbids (U+0001–0008, 000B, 000E–001F, 007F, FDD0–FDEF and the last two code points of
 *       every plane) give nothing; the rest give the code point.</li>
 *   <li>{@code &NAME;?}, NAME being 1 to 32 code points other than tab, LF, FF, space, {@code < & # ;}: the HTML5
 *       character reference of that name (with its semicolon, or one of the 106 legacy names that also stand without
 *       it); otherwise the longest legacy name that is a proper prefix of NAME (at least two characters), the rest
 *       kept ({@code &notit;} is {@code ¬it;}); otherwise left as it is.</li>
 * </ul>
 *
 * <p>The HTML5 names come from jsoup's {@link Entities}, which ships the WHATWG table (2,125 names with a semicolon,
 * 106 of them also valid without), rather than from a hand-copied table of 2,231 entries that would be easy to get
 * subtly wrong and hard to review; HtmlUnescapeTest holds every name to Python's {@code html.entities.html5}.
 */
public final class HtmlUnescape {
    private HtmlUnescape() {}

    /** {@code html.unescape(text)}. */
    public static String unescape(String text) {
        int amp = text.indexOf('&');
        if (amp < 0) return text;
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        while (amp >= 0) {
            out.append(text, from, amp);
            int end = reference(text, amp, out);
            if (end < 0) {
                out.append('&');
                end = amp + 1;
            }
            from = end;
            amp = text.indexOf('&', from);
        }
        return out.append(text, from, text.length()).toString();
    }

    /** Appends the replacement of the reference at {@code amp} and returns where it ends, or -1 if none is there. */
    private static int reference(String s, int amp, StringBuilder out) {
        int n = s.length();
        int i = amp + 1;
        if (i < n && s.charAt(i) == '#') {
            // "&#" then decimal digits, or "&#x" / "&#X" then hexadecimal ones; a name cannot start with '#'.
            int radix = 10;
            int digits = i + 1;
            if (digits < n && !isDigit(s.charAt(digits), 10) && (s.charAt(digits) == 'x' || s.charAt(digits) == 'X')) {
                radix = 16;
                digits++;
            }
            int end = digits;
            long value = 0;
            while (end < n && isDigit(s.charAt(end), radix)) {
                value = Math.min(value * radix + Character.digit(s.charAt(end), radix), 0x7fff_ffffL); // saturates
                end++;
            }
            if (end == digits) return -1;
            if (end < n && s.charAt(end) == ';') end++;
            appendNumeric((int) value, out);
            return end;
        }
        // A name: 1 to 32 code points, then an optional semicolon.
        int end = i;
        int count = 0;
        while (end < n && count < 32) {
            int cp = s.codePointAt(end);
            if (cp == '\t' || cp == '\n' || cp == '\f' || cp == ' ' || cp == '<' || cp == '&' || cp == '#' || cp == ';') break;
            end += Character.charCount(cp);
            count++;
        }
        if (count == 0) return -1;
        boolean semicolon = end < n && s.charAt(end) == ';';
        String name = s.substring(i, end);
        if (semicolon) {
            end++;
            if (Entities.isNamedEntity(name)) {
                out.append(Entities.getByName(name));
                return end;
            }
        } else if (Entities.isBaseNamedEntity(name)) {
            out.append(Entities.getByName(name));
            return end;
        }
        // The longest legacy name that is a proper prefix (of the name with its semicolon, if any), two or more long.
        String full = s.substring(i, end);
        int[] cps = full.codePoints().toArray();
        for (int x = cps.length - 1; x >= 2; x--) {
            String prefix = new String(cps, 0, x);
            if (Entities.isBaseNamedEntity(prefix)) {
                out.append(Entities.getByName(prefix)).append(full, prefix.length(), full.length());
                return end;
            }
        }
        return -1;
    }

    private static boolean isDigit(char c, int radix) {
        return (c >= '0' && c <= '9') || (radix == 16 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    }

    private static void appendNumeric(int value, StringBuilder out) {
        if (value == 0) out.append('\uFFFD');
        else if (value == 0x0D) out.append('\r');
        else if (value >= 0x80 && value <= 0x9F) out.append(windows1252(value));
        else if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) out.append('\uFFFD');
        else if (!isForbidden(value)) out.appendCodePoint(value);
    }

    /** The code points a numeric reference may not produce (they give nothing): HTML's noncharacters and controls. */
    private static boolean isForbidden(int cp) {
        return (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F)
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    private static final char[] WINDOWS_1252 = new char[32];
    static {
        Charset cp1252 = Charset.forName("windows-1252");
        for (int b = 0x80; b <= 0x9F; b++) {
            char c = new String(new byte[] {(byte) b}, cp1252).charAt(0);
            WINDOWS_1252[b - 0x80] = c == '\uFFFD' ? (char) b : c;       // the five undefined bytes stay themselves
        }
    }

    /**
     * A C1 control character (U+0080 to U+009F) read as the windows-1252 byte of the same value, as browsers do:
     * 0x80 is €, 0x92 is ’; the five bytes windows-1252 leaves undefined (81, 8D, 8F, 90, 9D) stay as they are.
     */
    static char windows1252(int c1) {
        return WINDOWS_1252[c1 - 0x80];
    }
}
