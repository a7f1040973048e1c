package trdetr.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.io.FormatException;
import trdetr.io.NdArray;
import trdetr.tensor.Generator;

/** Feature loading in the official layout: normalisation, TEF, truncation, concatenation, and the error messages. */
class MomentDatasetTest {
    @TempDir Path tmp;
    Path slow, clip, txt, ann;

    static String row(int qid, String vid, int duration, String ids, String scores, String windows) {
        return "{\"qid\": " + qid + ", \"query\": \"q" + qid + "\", \"duration\": " + duration + ", \"vid\": \"" + vid
                + "\", \"relevant_clip_ids\": " + ids + ", \"saliency_scores\": " + scores + ", \"relevant_windows\": " + windows + "}";
    }

    @BeforeEach
    void write() throws IOException {
        slow = tmp.resolve("slowfast_features");
        clip = tmp.resolve("clip_features");
        txt = tmp.resolve("clip_text_features");
        // v1: slowfast 6 rows × 3, clip 5 rows × 2 → ctx 5; v2: 9 rows each → truncated to max_v_l 8
        DataFiles.npz(slow.resolve("v1.npz"), "features", DataFiles.array(1, 6, 3, "float32"));
        DataFiles.npz(clip.resolve("v1.npz"), "features", DataFiles.array(2, 5, 2, "float32"));
        DataFiles.npz(slow.resolve("v2.npz"), "features", DataFiles.array(3, 9, 3, "float32"));
        DataFiles.npz(clip.resolve("v2.npz"), "features", DataFiles.array(4, 9, 2, "float32"));
        DataFiles.npz(txt.resolve("qid1.npz"), "last_hidden_state", DataFiles.array(5, 6, 4, "float32"));
        DataFiles.npz(txt.resolve("qid2.npz"), "last_hidden_state", DataFiles.array(6, 2, 4, "float32"));
        ann = DataFiles.jsonl(tmp.resolve("train.jsonl"),
                row(1, "v1", 10, "[1, 2]", "[[1, 2, 3], [4, 4, 4]]", "[[2, 6]]"),
                row(2, "v2", 18, "[0, 7]", "[[1, 1, 1], [0, 0, 0]]", "[[0, 2], [14, 16]]"));
    }

    DatasetOptions.Builder options() {
        return DatasetOptions.builder(DatasetKind.QVHIGHLIGHTS, ann).videoDirs(slow, clip).textDir(txt).maxVideoLength(8).maxQueryLength(4);
    }

    @Test
    void loadsNormalisesConcatenatesAndAppendsTef() throws IOException {
        MomentDataset ds = MomentDataset.open(options().build());
        assertThat(ds.size()).isEqualTo(2);
        assertThat(ds.videoDim()).isEqualTo(3 + 2 + 2);
        assertThat(ds.textDim()).isEqualTo(4);
        Sample s = ds.get(0, new Generator(0));
        FloatMatrix v = s.video();
        assertThat(v.rows()).isEqualTo(5); // min(6, 5)
        assertThat(s.ctxLength()).isEqualTo(5);
        for (int r = 0; r < 5; r++) {
            // SlowFast block then CLIP block, each row normalised on its own: x/(‖x‖ + 1e-5)
            double n1 = 0, n2 = 0;
            for (int c = 0; c < 3; c++) n1 += DataFiles.value(1, r, c) * DataFiles.value(1, r, c);
            for (int c = 0; c < 2; c++) n2 += DataFiles.value(2, r, c) * DataFiles.value(2, r, c);
            for (int c = 0; c < 3; c++) assertThat(v.get(r, c)).isCloseTo((float) (DataFiles.value(1, r, c) / (Math.sqrt(n1) + 1e-5)), within(1e-6f));
            for (int c = 0; c < 2; c++) assertThat(v.get(r, 3 + c)).isCloseTo((float) (DataFiles.value(2, r, c) / (Math.sqrt(n2) + 1e-5)), within(1e-6f));
            assertThat(v.get(r, 5)).isEqualTo(r / 5f);
            assertThat(v.get(r, 6)).isEqualTo(r / 5f + 0.2f);
        }
        assertThat(s.text().rows()).isEqualTo(4); // max_q_l
        for (int r = 0; r < 4; r++) {
            double n = 0;
            for (int c = 0; c < 4; c++) n += s.text().get(r, c) * s.text().get(r, c);
            assertThat(Math.sqrt(n)).isCloseTo(1.0, within(1e-4));
        }
        Sample s2 = ds.get(1, new Generator(0));
        assertThat(s2.ctxLength()).isEqualTo(8); // max_v_l
        assertThat(s2.text().rows()).isEqualTo(2);
    }

    @Test
    void optionsTurnThingsOff() throws IOException {
        MomentDataset ds = MomentDataset.open(options().normalizeVideo(false).normalizeText(false).ctxMode("video").build());
        Sample s = ds.get(0, new Generator(0));
        assertThat(s.video().cols()).isEqualTo(5);
        assertThat(s.video().get(2, 1)).isEqualTo((float) DataFiles.value(1, 2, 1));
        assertThat(s.video().get(2, 4)).isEqualTo((float) DataFiles.value(2, 2, 1));
        assertThat(s.text().get(3, 3)).isEqualTo((float) DataFiles.value(5, 3, 3));

        MomentDataset tefOnly = MomentDataset.open(options().ctxMode("tef").build());
        Sample t = tefOnly.get(0, new Generator(0));
        assertThat(t.video().rows()).isEqualTo(8); // ctx_l = max_v_l without video
        assertThat(t.video().cols()).isEqualTo(2);
        assertThat(tefOnly.videoDim()).isEqualTo(2);

        MomentDataset noLabels = MomentDataset.open(options().loadLabels(false).build());
        assertThat(noLabels.get(0, new Generator(0)).labels()).isNull();
        assertThat(Collator.collate(java.util.List.of(noLabels.get(0, new Generator(0)))).targets()).isNull();
    }

    @Test
    void missingFileNamesTheFileAndTheRecord() throws IOException {
        Files.delete(clip.resolve("v2.npz"));
        assertThatThrownBy(() -> MomentDataset.open(options().build()))
                .isInstanceOf(FormatException.class)
                .hasMessage(clip.resolve("v2.npz") + ": feature file not found for qid 2 (vid v2) (" + ann + " line 2)");
        MomentDataset ds = MomentDataset.open(options().skipMissing(true).build());
        assertThat(ds.size()).isEqualTo(1);
        assertThat(ds.skipped()).containsExactly("qid 2 (vid v2): " + clip.resolve("v2.npz"));
        assertThat(ds.skipReport()).isEqualTo(ann + ": skipped 1 of 2 records with missing feature files (first: qid 2 (vid v2): "
                + clip.resolve("v2.npz") + ")");
        Files.delete(txt.resolve("qid1.npz"));
        assertThatThrownBy(() -> MomentDataset.open(options().skipMissing(true).build()))
                .isInstanceOf(FormatException.class).hasMessageStartingWith(ann + ": no record has all its feature files (2 skipped; first: qid 1");
    }

    /** A copy of DataFiles.array(k, rows, cols) with {@code value} at (row, col). */
    private static NdArray withValue(int k, int rows, int cols, int row, int col, float value) {
        NdArray a = DataFiles.array(k, rows, cols, "float32");
        ((float[]) a.data())[row * cols + col] = value;
        return a;
    }

    @Test
    void nonFiniteFeaturesStopNamingTheFileAndThePosition() throws IOException {
        // v2's SlowFast rows: a NaN at (4, 2) is read; one in row 8 is cut by max_v_l 8 first, as officially
        DataFiles.npz(slow.resolve("v2.npz"), "features", withValue(3, 9, 3, 8, 1, Float.NaN));
        MomentDataset.open(options().build()).get(1, new Generator(0));
        DataFiles.npz(slow.resolve("v2.npz"), "features", withValue(3, 9, 3, 4, 2, Float.NaN));
        MomentDataset ds = MomentDataset.open(options().build()); // record 0 is clean
        assertThatThrownBy(() -> ds.get(1, new Generator(0))).isInstanceOf(FormatException.class)
                .hasMessage(slow.resolve("v2.npz") + ": member 'features' has NaN at [4, 2] (video features of qid 2 (vid v2))");

        DataFiles.npz(txt.resolve("qid1.npz"), "last_hidden_state", withValue(5, 6, 4, 0, 3, Float.NEGATIVE_INFINITY));
        assertThatThrownBy(() -> MomentDataset.open(options().build())).isInstanceOf(FormatException.class)
                .hasMessage(txt.resolve("qid1.npz") + ": member 'last_hidden_state' has -Inf at [0, 3] (text features of qid 1 (vid v1))");

        Path aud = tmp.resolve("pann");
        DataFiles.npy(aud.resolve("v1.npy"), withValue(7, 3, 4, 2, 0, Float.POSITIVE_INFINITY));
        DataFiles.npy(aud.resolve("v2.npy"), DataFiles.array(8, 12, 4, "float32"));
        DataFiles.npz(txt.resolve("qid1.npz"), "last_hidden_state", DataFiles.array(5, 6, 4, "float32"));
        assertThatThrownBy(() -> MomentDataset.open(options().audioDir(aud).build())).isInstanceOf(FormatException.class)
                .hasMessage(aud.resolve("v1.npy") + ": the array has Inf at [2, 0] (audio features of qid 1 (vid v1))");
    }

    @Test
    void skipNonFiniteDropsThoseRecordsAndSaysSoInOneLine() throws IOException {
        DataFiles.npz(clip.resolve("v2.npz"), "features", withValue(4, 9, 2, 3, 1, Float.NaN));
        MomentDataset ds = MomentDataset.open(options().skipNonFinite(true).build());
        assertThat(ds.annotations()).extracting(Annotation::qid).containsExactly("1");
        String why = clip.resolve("v2.npz") + ": member 'features' has NaN at [3, 1] (video features of qid 2 (vid v2))";
        assertThat(ds.skippedNonFinite()).containsExactly(why);
        assertThat(ds.nonFiniteReport()).isEqualTo(ann + ": skipped 1 of 2 records whose features have NaN or Inf (1 file; first: " + why + ")");
        assertThat(ds.skipReports()).containsExactly(ds.nonFiniteReport());
        assertThat(MomentDataset.open(options().build()).nonFiniteReport()).isNull();

        DataFiles.npz(clip.resolve("v1.npz"), "features", withValue(2, 5, 2, 0, 0, Float.NaN));
        assertThatThrownBy(() -> MomentDataset.open(options().skipNonFinite(true).build())).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(ann + ": every record has NaN or Inf in its features (first: " + clip.resolve("v1.npz"));
    }

    @Test
    void widthMismatchNamesTheFileAndTheRecord() throws IOException {
        DataFiles.npz(clip.resolve("v2.npz"), "features", DataFiles.array(4, 9, 3, "float32"));
        MomentDataset ds = MomentDataset.open(options().build()); // record 0 fixes the widths
        assertThatThrownBy(() -> ds.get(1, new Generator(0)))
                .isInstanceOf(FormatException.class)
                .hasMessage(clip.resolve("v2.npz") + ": has 3 columns but earlier video " + clip + " features have 2 (qid 2 (vid v2))");
        assertThatThrownBy(() -> MomentDataset.open(options().videoDim(6).build()))
                .isInstanceOf(FormatException.class).hasMessageContaining("video features of qid 1 (vid v1) have 5 columns, the configured video dim is 6");
        assertThatThrownBy(() -> MomentDataset.open(options().textDim(512).build()))
                .hasMessage(txt.resolve("qid1.npz") + ": text features have 4 columns, the configured text dim is 512 (qid 1 (vid v1))");
    }

    @Test
    void badArraysAreRejectedClearly() throws IOException {
        DataFiles.npz(slow.resolve("v1.npz"), "features", new NdArray("int64", new int[] {2, 3}, new long[6]));
        assertThatThrownBy(() -> MomentDataset.open(options().build()))
                .isInstanceOf(FormatException.class)
                .hasMessage(slow.resolve("v1.npz") + ": 'features' has dtype int64; features must be float16, float32 or float64 (video features of qid 1 (vid v1))");
        DataFiles.npz(slow.resolve("v1.npz"), "feats", DataFiles.array(1, 6, 3, "float32"));
        assertThatThrownBy(() -> MomentDataset.open(options().build()))
                .hasMessage(slow.resolve("v1.npz") + ": has no array 'features' (it has feats), needed as video features of qid 1 (vid v1)");
        DataFiles.npz(slow.resolve("v1.npz"), "features", new NdArray("float32", new int[] {6}, new float[6]));
        assertThatThrownBy(() -> MomentDataset.open(options().build())).hasMessageContaining("has shape [6], expected (length, dim)");
        Files.writeString(slow.resolve("v1.npz"), "not a zip");
        assertThatThrownBy(() -> MomentDataset.open(options().build()))
                .isInstanceOf(FormatException.class).hasMessageStartingWith(slow.resolve("v1.npz") + ": not a zip archive")
                .hasMessageEndingWith("(video features of qid 1 (vid v1))");
    }

    @Test
    void audioTruncatesBothToTheShorterAndGetsTef() throws IOException {
        Path aud = tmp.resolve("pann");
        DataFiles.npy(aud.resolve("v1.npy"), DataFiles.array(7, 3, 4, "float32"));
        DataFiles.npy(aud.resolve("v2.npy"), DataFiles.array(8, 12, 4, "float32"));
        MomentDataset ds = MomentDataset.open(options().audioDir(aud).build());
        Sample s = ds.get(0, new Generator(0));
        assertThat(s.video().rows()).isEqualTo(3);
        assertThat(s.audio().rows()).isEqualTo(3);
        assertThat(s.audio().cols()).isEqualTo(6);
        assertThat(s.audio().get(1, 4)).isEqualTo(1f / 3f);
        assertThat(ds.audioDim()).isEqualTo(6);
        Sample s2 = ds.get(1, new Generator(0));
        assertThat(s2.audio().rows()).isEqualTo(8);
        MomentDataset lighthouse = MomentDataset.open(options().audioDir(aud).audioTef(false).build());
        assertThat(lighthouse.get(0, new Generator(0)).audio().cols()).isEqualTo(4);
        Batch b = Collator.collate(java.util.List.of(s, s2));
        assertThat(b.srcAud().shape()).containsExactly(2, 8, 6);
        assertThat(b.srcAudMask().toFloatArray()).containsExactly(b.srcVidMask().toFloatArray());
    }

    @Test
    void cacheKeepsLoadedFeatures() throws IOException {
        MomentDataset ds = MomentDataset.open(options().cacheBytes(1 << 20).build());
        Sample a = ds.get(0, new Generator(0));
        assertThat(ds.cachedBytes()).isPositive();
        Files.delete(slow.resolve("v1.npz")); // served from memory now
        Sample b = ds.get(0, new Generator(1));
        assertThat(b.video()).isEqualTo(a.video());
        FeatureCache small = new FeatureCache(200);
        small.put("a", FloatMatrix.zeros(5, 5));
        small.put("b", FloatMatrix.zeros(5, 5));
        small.put("c", FloatMatrix.zeros(5, 5));
        assertThat(small.usedBytes()).isLessThanOrEqualTo(200);
        assertThat(small.get("a")).isNull();
        assertThat(small.get("c")).isNotNull();
    }

    @Test
    void textDropZeroesRoundedShareOfRows() throws IOException {
        MomentDataset ds = MomentDataset.open(options().txtDropRatio(0.3).build());
        Sample s = ds.get(0, new Generator(4)); // 4 rows · 0.3 = 1.2 → 1 row
        int zero = 0;
        for (int r = 0; r < 4; r++) {
            boolean all = true;
            for (int c = 0; c < 4; c++) all &= s.text().get(r, c) == 0f;
            if (all) zero++;
        }
        assertThat(zero).isEqualTo(1);
        // labels do not depend on text dropping
        MomentDataset plain = MomentDataset.open(options().build());
        assertThat(plain.get(0, new Generator(4)).labels().negLabels()).containsExactly(s.labels().negLabels());
    }
}
