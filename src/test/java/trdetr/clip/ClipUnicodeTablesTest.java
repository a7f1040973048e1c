package trdetr.clip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every code point, against the reference's own answer (src/test/resources/clip/unicode_tables.txt, written by
 * tools/clip_tokenizer_reference.py from Python 3.11, its unicodedata 14.0, regex 2022.10.31 with Unicode 15.0 and
 * ftfy 6.3.1): which alternative of the split pattern takes it, {@code str.isspace}, {@code str.lower} and
 * {@code ftfy.fix_text} of it alone.
 *
 * <p>Code points that one side's Unicode version has not assigned are left out and counted: there the answers can
 * differ (a letter added in Unicode 14 or 15 is "other" to JDK 17's Unicode 13; one added in 16 is a letter to JDK 25
 * and "other" to the reference). docs/clip.md, "Tokenizer", has the numbers.
 */
class ClipUnicodeTablesTest {
    private static final Map<String, List<String>> SECTIONS = new HashMap<>();
    /** Unassigned in the reference's split pattern (regex's Unicode) and in its unicodedata. */
    private static final BitSet UNASSIGNED_REGEX = new BitSet(), UNASSIGNED_PYTHON = new BitSet();
    private static final char[] SPLIT = new char[0x110000];

    @BeforeAll static void read() throws IOException {
        String section = null;
        for (String line : Files.readAllLines(ClipTestFiles.resource("unicode_tables.txt"))) {
            if (line.startsWith("#")) continue;
            if (line.startsWith("[")) {
                section = line.substring(1, line.indexOf(']'));
                SECTIONS.put(section, new ArrayList<>());
            } else {
                SECTIONS.get(section).add(line);
            }
        }
        for (String line : SECTIONS.get("split")) {
            String[] f = line.split(" ");
            for (int cp = Integer.parseInt(f[0], 16); cp <= Integer.parseInt(f[1], 16); cp++) SPLIT[cp] = f[2].charAt(0);
        }
        for (int cp = 0; cp < 0x110000; cp++) if (SPLIT[cp] == 'U') UNASSIGNED_REGEX.set(cp);
        for (String line : SECTIONS.get("unassigned")) {
            String[] f = line.split(" ");
            UNASSIGNED_PYTHON.set(Integer.parseInt(f[0], 16), Integer.parseInt(f[1], 16) + 1);
        }
    }

    private static boolean assignedInJava(int cp) {
        return Character.getType(cp) != Character.UNASSIGNED;
    }

    private static boolean isSurrogate(int cp) {
        return cp >= 0xD800 && cp <= 0xDFFF;
    }

    /** A code point and what a table maps it to ("" for nothing). */
    private static Map<Integer, String> mapping(String section) {
        Map<Integer, String> map = new HashMap<>();
        for (String line : SECTIONS.get(section)) {
            String[] f = line.split(" ");
            StringBuilder to = new StringBuilder();
            for (int i = 1; i < f.length; i++) to.appendCodePoint(Integer.parseInt(f[i], 16));
            map.put(Integer.parseInt(f[0], 16), to.toString());
        }
        return map;
    }

    @Test void splitClassOfEveryCodePoint() {
        String kinds = "SLNPX";
        List<String> wrong = new ArrayList<>();
        int compared = 0, javaOnly = 0, referenceOnly = 0, differingThere = 0;
        for (int cp = 0; cp < 0x110000; cp++) {
            if (isSurrogate(cp)) continue;
            char ours = kinds.charAt(ClipTextSplitter.kind(cp));
            boolean inReference = !UNASSIGNED_REGEX.get(cp), inJava = assignedInJava(cp);
            char reference = inReference ? SPLIT[cp] : 'P';
            if (inReference && inJava) {
                compared++;
                if (ours != reference && wrong.size() < 20) wrong.add(String.format("U+%04X ours %s, reference %s", cp, ours, reference));
            } else if (inReference || inJava) {
                if (inJava) javaOnly++; else referenceOnly++;
                if (ours != reference) differingThere++;
            }
        }
        System.out.printf("split classes: %d code points assigned in both compared; assigned only in JDK %d's Unicode: %d, "
                + "only in the reference's 15.0: %d; the class differs for %d of those%n",
                compared, Runtime.version().feature(), javaOnly, referenceOnly, differingThere);
        assertThat(wrong).isEmpty();
        assertThat(compared).isGreaterThan(280_000);
        // The version differences docs/clip.md states: JDK 17 is Unicode 13.0, JDK 25 is 16.0, the reference's regex 15.0.
        if (Runtime.version().feature() == 17) assertThat(new int[] {javaOnly, referenceOnly, differingThere}).containsExactly(0, 5327, 4913);
        if (Runtime.version().feature() == 25) assertThat(new int[] {javaOnly, referenceOnly, differingThere}).containsExactly(5812, 0, 5004);
    }

    @Test void spacesOfEveryCodePoint() {
        BitSet isspace = new BitSet();
        for (String hex : SECTIONS.get("isspace").get(0).split(" ")) isspace.set(Integer.parseInt(hex, 16));
        for (int cp = 0; cp < 0x110000; cp++) {
            assertThat(ClipTextCleaning.isPythonSpace(cp)).as("isspace U+%04X", cp).isEqualTo(isspace.get(cp));
            assertThat(ClipTextCleaning.isRegexSpace(cp)).as("\\s U+%04X", cp).isEqualTo(!isSurrogate(cp) && SPLIT[cp] == 'S');
        }
    }

    @Test void lowerOfEveryCodePoint() {
        assertThat(mismatches("lower", c -> c.toLowerCase(Locale.ROOT), "Python")).isEmpty();
    }

    @Test void ftfyOfEveryCodePoint() {
        assertThat(mapping("ftfy")).hasSizeGreaterThan(1400);
        assertThat(mismatches("ftfy", FtfyFixes::fixText, "ftfy")).isEmpty();
    }

    /**
     * Where {@code ours} of a code point alone differs from a table's answer (the code point itself where the table
     * has none), over the code points both Python's unicodedata and this JDK assign (at most 20 described).
     */
    private static List<String> mismatches(String section, UnaryOperator<String> ours, String reference) {
        Map<Integer, String> table = mapping(section);
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        for (int cp = 0; cp < 0x110000; cp++) {
            if (isSurrogate(cp) || UNASSIGNED_PYTHON.get(cp) || !assignedInJava(cp)) continue;
            compared++;
            String c = new String(Character.toChars(cp));
            String got = ours.apply(c), want = table.getOrDefault(cp, c);
            if (!got.equals(want) && wrong.size() < 20) {
                wrong.add(String.format("U+%04X ours %s, %s %s", cp, HtmlUnescapeTest.show(got), reference, HtmlUnescapeTest.show(want)));
            }
        }
        assertThat(compared).as("code points compared").isGreaterThan(280_000);
        return wrong;
    }
}
