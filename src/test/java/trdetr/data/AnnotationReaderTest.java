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
import trdetr.io.FormatException;

class AnnotationReaderTest {
    @TempDir Path tmp;

    static final String QVH = "{\"qid\": 9769, \"query\": \"some military patriots\", \"duration\": 150, \"vid\": \"j7rJstUseKg_360.0_510.0\", "
            + "\"relevant_clip_ids\": [36, 37], \"saliency_scores\": [[4, 3, 2], [4, 1, 3]], \"relevant_windows\": [[72, 76]]}";

    @Test
    void readsQvhighlightsRows() throws IOException {
        Path f = DataFiles.jsonl(tmp.resolve("train.jsonl"), QVH);
        Annotation a = AnnotationReader.read(f, DatasetKind.QVHIGHLIGHTS, true, 1.0, null).get(0);
        assertThat(a.qid()).isEqualTo("9769");
        assertThat(a.qidJson()).isEqualTo(9769L);
        assertThat(a.query()).isEqualTo("some military patriots");
        assertThat(a.duration()).isEqualTo(150.0);
        assertThat(a.vid()).isEqualTo("j7rJstUseKg_360.0_510.0");
        assertThat(a.relevantClipIds()).containsExactly(36, 37);
        assertThat(a.saliencyScores()).isDeepEqualTo(new int[][] {{4, 3, 2}, {4, 1, 3}});
        assertThat(a.relevantWindows()).isDeepEqualTo(new double[][] {{72, 76}});
        assertThat(a.line()).isEqualTo(1);
    }

    @Test
    void testSplitRowsNeedNoLabels() throws IOException {
        Path f = DataFiles.jsonl(tmp.resolve("test.jsonl"), "{\"qid\": 3158, \"query\": \"a boat\", \"duration\": 150, \"vid\": \"_6hnl_BrFvs_360.0_510.0\"}");
        Annotation a = AnnotationReader.read(f, DatasetKind.QVHIGHLIGHTS, false, 1.0, null).get(0);
        assertThat(a.relevantWindows()).isNull();
        assertThat(a.saliencyScores()).isNull();
        assertThatThrownBy(() -> AnnotationReader.read(f, DatasetKind.QVHIGHLIGHTS, true, 1.0, null))
                .isInstanceOf(FormatException.class).hasMessage(f + ": line 1: field 'relevant_windows' is missing");
    }

    @Test
    void readsTvsumAndCharades() throws IOException {
        Path tv = DataFiles.jsonl(tmp.resolve("tvsum.jsonl"),
                "{\"qid\": \"akI8YFjEmUw\", \"query\": \"Electric cars\", \"duration\": 2, \"vid\": \"akI8YFjEmUw\", \"relevant_clip_ids\": null, "
                        + "\"relevant_windows\": null, \"label\": [[1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [3.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]], \"domain\": \"VU\"}",
                "{\"qid\": \"b\", \"query\": \"t\", \"duration\": 1, \"vid\": \"b\", \"label\": [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]], \"domain\": \"BK\"}");
        List<Annotation> rows = AnnotationReader.read(tv, DatasetKind.TVSUM, true, 1.0, null);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).qidJson()).isEqualTo("akI8YFjEmUw");
        double[][] label = rows.get(0).label();                    // 20 annotators per clip, as TVSum has
        assertThat(label).hasDimensions(2, 20);
        assertThat(new double[] {label[0][0], label[0][1], label[1][0], label[1][1], label[1][19]}).containsExactly(1, 2, 3, 5, 1);
        assertThat(rows.get(0).domain()).isEqualTo("VU");
        assertThat(AnnotationReader.read(tv, DatasetKind.TVSUM, true, 1.0, "BK")).extracting(Annotation::qid).containsExactly("b");

        Path ch = DataFiles.jsonl(tmp.resolve("charades.jsonl"),
                "{\"qid\": 0, \"query\": \"a person is putting a book on a shelf.\", \"duration\": 33.67, \"vid\": \"AO8RW\", \"relevant_windows\": [[0.0, 6.9]]}");
        Annotation c = AnnotationReader.read(ch, DatasetKind.CHARADES, true, 1.0, null).get(0);
        assertThat(c.duration()).isEqualTo(33.67);
        assertThat(c.relevantWindows()[0]).containsExactly(0.0, 6.9);
        assertThat(c.relevantClipIds()).isNull();
    }

    @Test
    void dataRatioKeepsAPrefix() throws IOException {
        String[] lines = new String[7];
        for (int i = 0; i < 7; i++) lines[i] = QVH.replace("9769", String.valueOf(i));
        Path f = DataFiles.jsonl(tmp.resolve("train.jsonl"), lines);
        // int(7 * 0.5) = 3
        assertThat(AnnotationReader.read(f, DatasetKind.QVHIGHLIGHTS, true, 0.5, null)).extracting(Annotation::qid).containsExactly("0", "1", "2");
        assertThat(AnnotationReader.read(f, DatasetKind.QVHIGHLIGHTS, true, 1.0, null)).hasSize(7);
        assertThatThrownBy(() -> AnnotationReader.read(f, DatasetKind.QVHIGHLIGHTS, true, 0, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badLinesNameTheFileAndLine() throws IOException {
        Path f = DataFiles.jsonl(tmp.resolve("bad.jsonl"), QVH, "", "{\"qid\": 1, \"query\": \"x\", \"duration\": 150, \"vid\": \"v\", broken");
        assertThatThrownBy(() -> AnnotationReader.read(f, DatasetKind.QVHIGHLIGHTS, true, 1.0, null))
                .isInstanceOf(FormatException.class).hasMessageStartingWith(f + ": line 3: not valid JSON at column 55: Unexpected character ('b'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        Path g = DataFiles.jsonl(tmp.resolve("bad2.jsonl"), QVH, QVH.replace("[[4, 3, 2], [4, 1, 3]]", "[[4, 3, 2]]"));
        assertThatThrownBy(() -> AnnotationReader.read(g, DatasetKind.QVHIGHLIGHTS, true, 1.0, null))
                .hasMessage(g + ": line 2: qid 9769: saliency_scores has 1 rows but relevant_clip_ids has 2");

        Path h = DataFiles.jsonl(tmp.resolve("bad3.jsonl"), QVH.replace("\"duration\": 150", "\"duration\": \"150\""));
        assertThatThrownBy(() -> AnnotationReader.read(h, DatasetKind.QVHIGHLIGHTS, true, 1.0, null))
                .hasMessage(h + ": line 1: field 'duration' is not a finite number");

        Path i = DataFiles.jsonl(tmp.resolve("bad4.jsonl"), QVH.replace("[36, 37]", "[36, -1]"));
        assertThatThrownBy(() -> AnnotationReader.read(i, DatasetKind.QVHIGHLIGHTS, true, 1.0, null))
                .hasMessage(i + ": line 1: field 'relevant_clip_ids' entry 1 is not a non-negative integer");

        Path j = DataFiles.jsonl(tmp.resolve("bad5.jsonl"), "[1, 2]");
        assertThatThrownBy(() -> AnnotationReader.read(j, DatasetKind.QVHIGHLIGHTS, true, 1.0, null)).hasMessage(j + ": line 1: not a JSON object");

        Path missing = tmp.resolve("nope.jsonl");
        assertThatThrownBy(() -> AnnotationReader.read(missing, DatasetKind.QVHIGHLIGHTS, true, 1.0, null))
                .isInstanceOf(FormatException.class).hasMessage(missing + ": annotation file not found");
    }

    @Test
    void datasetKindFromOfficialNames() {
        assertThat(DatasetKind.fromName("hl", Path.of("data/highlight_train_release.jsonl"))).isEqualTo(DatasetKind.QVHIGHLIGHTS);
        assertThat(DatasetKind.fromName("hl", Path.of("data/subs_train.jsonl"))).isEqualTo(DatasetKind.QVHIGHLIGHTS_PRETRAIN);
        assertThat(DatasetKind.fromName("tvsum", null)).isEqualTo(DatasetKind.TVSUM);
        assertThat(DatasetKind.fromName("charades", null)).isEqualTo(DatasetKind.CHARADES);
        assertThatThrownBy(() -> DatasetKind.fromName("tacos", null)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The annotation files shipped with the official repository, where the shared fixtures are present. */
    @Test
    void readsTheOfficialAnnotationFiles() throws IOException {
        Path data = Path.of("..", "shared", "fixtures", "official", "data");
        Assumptions.assumeTrue(Files.isDirectory(data), "shared fixtures absent (../shared/fixtures/official/data)");
        assertThat(AnnotationReader.read(data.resolve("highlight_train_release.jsonl"), DatasetKind.QVHIGHLIGHTS, true, 1.0, null)).hasSize(7218);
        List<Annotation> val = AnnotationReader.read(data.resolve("highlight_val_release.jsonl"), DatasetKind.QVHIGHLIGHTS, true, 1.0, null);
        assertThat(val).hasSize(1550);
        assertThat(AnnotationReader.read(data.resolve("highlight_test_release.jsonl"), DatasetKind.QVHIGHLIGHTS, false, 1.0, null)).hasSize(1542);
        assertThat(AnnotationReader.read(data.resolve("tvsum/tvsum_train.jsonl"), DatasetKind.TVSUM, true, 1.0, null)).hasSize(40);
        assertThat(AnnotationReader.read(data.resolve("tvsum/tvsum_val.jsonl"), DatasetKind.TVSUM, true, 1.0, "BK")).hasSize(1);
        assertThat(AnnotationReader.read(data.resolve("charades/charades_sta_train_tvr_format.jsonl"), DatasetKind.CHARADES, true, 1.0, null)).hasSize(12404);
        assertThat(AnnotationReader.read(data.resolve("charades/charades_sta_val_tvr_format.jsonl"), DatasetKind.CHARADES, true, 1.0, null)).hasSize(3720);
    }
}
