package trdetr.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import trdetr.io.FormatException;

/** The semantic rules of docs/data-validation.md, one by one, as the annotation reader applies them. */
class AnnotationRulesTest {
    @TempDir Path tmp;

    static final String GOOD = AnnotationReaderTest.QVH; // qid 9769, duration 150, clips [36, 37], window [72, 76]

    /** The message for a file whose second line is {@code GOOD} with {@code from} replaced by {@code to}. */
    private String refusal(DatasetKind kind, String line2) throws IOException {
        Path f = DataFiles.jsonl(tmp.resolve("ann.jsonl"), GOOD.replace("9769", "1"), line2);
        try {
            AnnotationReader.read(f, kind, true, 1.0, null);
        } catch (FormatException e) {
            assertThat(e.getMessage()).doesNotContain("\n").startsWith(f + ": line 2: ");
            return e.getMessage().substring((f + ": line 2: ").length());
        }
        throw new AssertionError("accepted: " + line2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"relevant_windows\": [[72, 76]]|\"relevant_windows\": [[30, 20]]|qid 9769: window [30, 20] has start > end",
        "\"relevant_windows\": [[72, 76]]|\"relevant_windows\": [[72, 76], [20, 20]]|qid 9769: window [20, 20] has zero length",
        "\"relevant_windows\": [[72, 76]]|\"relevant_windows\": [[-2, 4]]|qid 9769: window [-2, 4] starts before 0",
        "\"relevant_windows\": [[72, 76]]|\"relevant_windows\": [[140, 152]]|qid 9769: window [140, 152] ends after the video (duration 150)",
        "\"duration\": 150|\"duration\": 0|qid 9769: duration 0 is not positive",
        "\"duration\": 150|\"duration\": -150.5|qid 9769: duration -150.5 is not positive",
        "[[4, 3, 2], [4, 1, 3]]|[[4, 3], [4, 1]]|qid 9769: saliency_scores row 0 has 2 scores, expected one per annotator (3)",
        "[[4, 3, 2], [4, 1, 3]]|[[4, 3, 2], [4, 1, 5]]|qid 9769: saliency_scores row 1 score 2 is 5, expected an integer 0..4",
        "[[4, 3, 2], [4, 1, 3]]|[[4, 3, 2]]|qid 9769: saliency_scores has 1 rows but relevant_clip_ids has 2",
        "[36, 37]|[36, 75]|qid 9769: relevant_clip_ids entry 1 (75) is not a clip of the video (duration 150 has clips 0..74)",
        "[36, 37]|[36, 36]|qid 9769: relevant_clip_ids entry 1 repeats clip 36",
    })
    void qvhighlightsRowsBreakingARuleAreRefusedNamingFileLineAndQid(String from, String to, String message) throws IOException {
        assertThat(GOOD).contains(from);
        assertThat(refusal(DatasetKind.QVHIGHLIGHTS, GOOD.replace(from, to))).isEqualTo(message);
    }

    @Test
    void repeatedQidsAreRefusedInEveryFormat() throws IOException {
        assertThat(refusal(DatasetKind.QVHIGHLIGHTS, GOOD.replace("9769", "1"))).isEqualTo("qid 1: qid 1 is repeated (first at line 1)");
        Path f = DataFiles.jsonl(tmp.resolve("test.jsonl"), "{\"qid\": 5, \"query\": \"a\", \"duration\": 150, \"vid\": \"v\"}",
                "{\"qid\": 6, \"query\": \"b\", \"duration\": 150, \"vid\": \"v\"}", "{\"qid\": 5, \"query\": \"c\", \"duration\": 150, \"vid\": \"w\"}");
        assertThatThrownBy(() -> AnnotationReader.read(f, DatasetKind.QVHIGHLIGHTS, false, 1.0, null))
                .isInstanceOf(FormatException.class).hasMessage(f + ": line 3: qid 5: qid 5 is repeated (first at line 1)");
    }

    @Test
    void charadesWindowsFollowTheSameRules() throws IOException {
        String row = "{\"qid\": 0, \"query\": \"q\", \"duration\": 33.67, \"vid\": \"AO8RW\", \"relevant_windows\": [[0.0, 6.9]]}";
        Path f = DataFiles.jsonl(tmp.resolve("ch.jsonl"), row, row.replace("\"qid\": 0", "\"qid\": 1").replace("6.9]", "33.7]"));
        assertThatThrownBy(() -> AnnotationReader.read(f, DatasetKind.CHARADES, true, 1.0, null)).isInstanceOf(FormatException.class)
                .hasMessage(f + ": line 2: qid 1: window [0, 33.7] ends after the video (duration 33.67)");
    }

    /** TVSum labels: 20 annotators per clip, integer scores 1..5 (the official scaling assumes both). */
    @Test
    void tvsumLabelsHaveTwentyIntegerScoresFrom1To5() throws IOException {
        String scores = String.join(", ", java.util.Collections.nCopies(20, "3.0"));
        String row = "{\"qid\": \"a\", \"query\": \"q\", \"duration\": 2, \"vid\": \"a\", \"domain\": \"BK\", \"label\": [[" + scores + "], [" + scores + "]]}";
        String[][] cases = {
            {"[" + scores + "], [" + scores + "]]", "[" + scores + ", 3.0], [" + scores + ", 3.0]]", "label row 0 has 21 scores, expected one per annotator (20)"},
            {"[[3.0, ", "[[0.0, ", "label row 0 score 0 is 0, expected an integer 1..5"},
            {"[[3.0, ", "[[2.5, ", "label row 0 score 0 is 2.5, expected an integer 1..5"},
        };
        assertThat(AnnotationReader.read(DataFiles.jsonl(tmp.resolve("ok.jsonl"), row), DatasetKind.TVSUM, true, 1.0, null)).hasSize(1);
        for (String[] c : cases) {
            Path f = DataFiles.jsonl(tmp.resolve("tv.jsonl"), row, row.replace("\"qid\": \"a\"", "\"qid\": \"b\"").replace(c[0], c[1]));
            assertThatThrownBy(() -> AnnotationReader.read(f, DatasetKind.TVSUM, true, 1.0, null)).as(c[1]).isInstanceOf(FormatException.class)
                    .hasMessage(f + ": line 2: qid b: " + c[2]);
        }
    }

    @Test
    void emptyOrEmptiedFilesAreRefusedNamingTheFile() throws IOException {
        Path empty = Files.writeString(tmp.resolve("train.jsonl"), "");
        assertThatThrownBy(() -> AnnotationReader.read(empty, DatasetKind.QVHIGHLIGHTS, true, 1.0, null))
                .isInstanceOf(FormatException.class).hasMessage(empty + ": has no annotation rows (empty file)");
        Path one = DataFiles.jsonl(tmp.resolve("one.jsonl"), GOOD);
        assertThatThrownBy(() -> AnnotationReader.read(one, DatasetKind.QVHIGHLIGHTS, true, 0.5, null))
                .isInstanceOf(FormatException.class).hasMessage(one + ": data_ratio 0.5 keeps none of its 1 rows");
    }

    @Test
    void nonUtf8AndBrokenJsonAreOneLineWithTheLineNumber() throws IOException {
        Path bin = tmp.resolve("latin1.jsonl");
        byte[] good = (GOOD + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String line2 = GOOD.replace("9769", "2").replace("some", "caf\u00e9");
        Files.write(bin, concat(good, line2.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertThatThrownBy(() -> AnnotationReader.read(bin, DatasetKind.QVHIGHLIGHTS, true, 1.0, null)).isInstanceOf(FormatException.class)
                .hasMessage(bin + ": line 2: not UTF-8 text (byte 0xe9 at byte " + (line2.indexOf('\u00e9') + 1) + " of the line)");

        Path trailing = DataFiles.jsonl(tmp.resolve("trailing.jsonl"), GOOD + " junk");
        assertThatThrownBy(() -> AnnotationReader.read(trailing, DatasetKind.QVHIGHLIGHTS, true, 1.0, null))
                .isInstanceOf(FormatException.class).hasMessageStartingWith(trailing + ": line 1: not valid JSON at column ")
                .hasMessageNotContaining("\n").hasMessageNotContaining("\\n").hasMessageNotContaining("Source");
        Path cut = DataFiles.jsonl(tmp.resolve("cut.jsonl"), GOOD.substring(0, 60));
        assertThatThrownBy(() -> AnnotationReader.read(cut, DatasetKind.QVHIGHLIGHTS, true, 1.0, null))
                .isInstanceOf(FormatException.class).hasMessageStartingWith(cut + ": line 1: not valid JSON")
                .hasMessageNotContaining("\n").hasMessageNotContaining("\\n").hasMessageNotContaining("Source");
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void everyOfficialAnnotationFilePassesTheRules() throws IOException {
        Path data = Path.of("..", "shared", "fixtures", "official", "data");
        Assumptions.assumeTrue(Files.isDirectory(data), "../shared/fixtures/official is absent");
        int rows = 0;
        for (String name : List.of("highlight_train_release.jsonl", "highlight_val_release.jsonl")) {
            rows += AnnotationReader.read(data.resolve(name), DatasetKind.QVHIGHLIGHTS, true, 1.0, null).size();
        }
        rows += AnnotationReader.read(data.resolve("highlight_test_release.jsonl"), DatasetKind.QVHIGHLIGHTS, false, 1.0, null).size();
        for (String name : List.of("charades/charades_sta_train_tvr_format.jsonl", "charades/charades_sta_val_tvr_format.jsonl")) {
            rows += AnnotationReader.read(data.resolve(name), DatasetKind.CHARADES, true, 1.0, null).size();
        }
        for (String name : List.of("tvsum/tvsum_train.jsonl", "tvsum/tvsum_val.jsonl")) {
            rows += AnnotationReader.read(data.resolve(name), DatasetKind.TVSUM, true, 1.0, null).size();
        }
        assertThat(rows).isEqualTo(7218 + 1550 + 1542 + 12404 + 3720 + 40 + 10);
    }
}
