package trdetr.clip;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's split of a cleaned, lower-cased text into words before byte-pair encoding: what Python's {@code regex}
 * module's {@code findall} gives for the pattern (IGNORECASE)
 * <pre>
 *   &lt;|startoftext|&gt; | &lt;|endoftext|&gt; | 's | 't | 're | 've | 'm | 'll | 'd | [\p{L}]+ | [\p{N}] | [^\s\p{L}\p{N}]+
 * </pre>
 * written out as a scanner: at each position the first alternative that matches is taken, and a position where none
 * does (a space) is skipped. What the flag changes: {@code ſ} (U+017F, whose case partner is {@code s}) matches the
 * {@code s} of the literals ({@code 'ſ} is one word, so is {@code <|ſtartoftext|>}), and a character that is not a
 * letter but has a letter as its case partner (only U+0345, COMBINING GREEK YPOGEGRAMMENI, partner of ι) is in
 * neither {@code [\p{L}]} nor its complement there, so it is skipped like a space.
 *
 * <p>Letters and numbers are the general categories L* and N* of this JDK's Unicode version, which need not be the
 * reference's (docs/clip.md, "Tokenizer"; ClipUnicodeTablesTest).
 */
final class ClipTextSplitter {
    private ClipTextSplitter() {}

    static final String START_OF_TEXT = "<|startoftext|>";
    static final String END_OF_TEXT = "<|endoftext|>";
    private static final String[] CONTRACTIONS = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};

    /** The kinds of code point the pattern tells apart. */
    static final int SPACE = 0, LETTER = 1, NUMBER = 2, OTHER = 3, NONE = 4;

    /** The words of {@code text}, in order. */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            int end = matchLiteral(text, i, START_OF_TEXT);
            if (end < 0) end = matchLiteral(text, i, END_OF_TEXT);
            for (int c = 0; end < 0 && c < CONTRACTIONS.length; c++) end = matchLiteral(text, i, CONTRACTIONS[c]);
            if (end < 0) {
                int cp = text.codePointAt(i);
                int kind = kind(cp);
                end = i + Character.charCount(cp);
                if (kind == LETTER || kind == OTHER) {
                    while (end < n && kind(text.codePointAt(end)) == kind) end += Character.charCount(text.codePointAt(end));
                } else if (kind != NUMBER) {
                    i = end;                                    // matched by no alternative: skipped
                    continue;
                }
            }
            words.add(text.substring(i, end));
            i = end;
        }
        return words;
    }

    /** Where {@code literal} (lower-case ASCII) ends if it matches at {@code at} ignoring case, else -1. */
    private static int matchLiteral(String text, int at, String literal) {
        int i = at;
        for (int k = 0; k < literal.length(); k++) {
            if (i >= text.length()) return -1;
            int cp = text.codePointAt(i);
            char want = literal.charAt(k);
            boolean same = cp == want || (want >= 'a' && want <= 'z' && cp == want - 'a' + 'A') || (want == 's' && cp == 0x017F);
            if (!same) return -1;
            i += Character.charCount(cp);
        }
        return i;
    }

    /** Which class of the pattern a code point belongs to. */
    static int kind(int cp) {
        if (ClipTextCleaning.isRegexSpace(cp)) return SPACE;
        if (Character.isLetter(cp)) return LETTER;
        int type = Character.getType(cp);
        if (type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER) return NUMBER;
        if (Character.isLetter(Character.toUpperCase(cp)) || Character.isLetter(Character.toLowerCase(cp))) return NONE;
        return OTHER;
    }
}
