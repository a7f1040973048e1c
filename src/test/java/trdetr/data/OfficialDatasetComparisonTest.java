package trdetr.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;

/**
 * Compares our dataset with what the official {@code StartEndDataset} / {@code StartEndDataset_audio} produced on
 * the same tiny inputs (src/test/resources/data/official_dataset.json, written by tools/make_data_fixtures.py).
 * Deterministic outputs must match exactly — features bit for bit (normalisation and TEF in float32 as NumPy/torch
 * compute them); random draws (easy pairs, shuffled spans, sub-as-query samples) must come from the same pools.
 */
class OfficialDatasetComparisonTest {
    @TempDir static Path root;
    static JsonNode ref;
    static Path vA, vB, txt, aud, tv, tvtxt;

    @BeforeAll
    static void writeInputs() throws IOException {
        try (InputStream in = OfficialDatasetComparisonTest.class.getResourceAsStream("/data/official_dataset.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        vA = root.resolve("vA");
        vB = root.resolve("vB");
        txt = root.resolve("txt");
        aud = root.resolve("aud");
        tv = root.resolve("tv");
        tvtxt = root.resolve("tvtxt");
        for (Iterator<Map.Entry<String, JsonNode>> it = ref.get("videos").fields(); it.hasNext(); ) {
            var e = it.next();
            Path[] dirs = {vA, vB};
            for (int d = 0; d < 2; d++) {
                JsonNode f = e.getValue().get(d);
                DataFiles.npz(dirs[d].resolve(e.getKey() + ".npz"), "features", DataFiles.array(f.get(0).asInt(), f.get(1).asInt(), f.get(2).asInt(), f.get(3).asText()));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = ref.get("audio").fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode f = e.getValue();
            DataFiles.npy(aud.resolve(e.getKey() + ".npy"), DataFiles.array(f.get(0).asInt(), f.get(1).asInt(), f.get(2).asInt(), "float32"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = ref.get("texts").fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode f = e.getValue();
            DataFiles.npz(txt.resolve("qid" + e.getKey() + ".npz"), "last_hidden_state", DataFiles.array(f.get(0).asInt(), f.get(1).asInt(), f.get(2).asInt(), "float32"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = ref.get("tvsum_videos").fields(); it.hasNext(); ) {
            var e = it.next();
            String[] suffix = {"_rgb.npy", "_opt.npy"};
            for (int d = 0; d < 2; d++) {
                JsonNode f = e.getValue().get(d);
                DataFiles.npy(tv.resolve(e.getKey() + suffix[d]), DataFiles.array(f.get(0).asInt(), f.get(1).asInt(), f.get(2).asInt(), f.get(3).asText()));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = ref.get("tvsum_texts").fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode f = e.getValue();
            DataFiles.npz(tvtxt.resolve(e.getKey() + ".npz"), "token", DataFiles.array(f.get(0).asInt(), f.get(1).asInt(), f.get(2).asInt(), "float32"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = ref.get("jsonl").fields(); it.hasNext(); ) {
            var e = it.next();
            Files.writeString(root.resolve(e.getKey()), e.getValue().asText());
        }
    }

    static DatasetOptions.Builder qvh(String file) {
        DatasetKind kind = DatasetKind.fromName("hl", root.resolve(file));
        return DatasetOptions.builder(kind, root.resolve(file)).videoDirs(vA, vB).textDir(txt)
                .maxVideoLength(ref.get("max_v_l").asInt()).maxQueryLength(ref.get("max_q_l").asInt()).clipLength(ref.get("clip_len").asInt());
    }

    static List<Sample> items(DatasetOptions o) throws IOException {
        MomentDataset ds = MomentDataset.open(o);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) out.add(ds.get(i, DataLoader.sampleGenerator(7, 0, i)));
        return out;
    }

    static float[] floats(JsonNode n) {
        float[] f = new float[n.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) n.get(i).asDouble();
        return f;
    }

    static void assertMatrix(FloatMatrix m, JsonNode rows, String what) {
        assertThat(m.rows()).as(what + " rows").isEqualTo(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            float[] expected = floats(rows.get(r));
            float[] actual = Arrays.copyOfRange(m.data(), r * m.cols(), (r + 1) * m.cols());
            assertThat(actual).as(what + " row " + r).containsExactly(expected);
        }
    }

    static void assertSpans(float[][] spans, JsonNode expected, String what) {
        assertThat(spans.length).as(what).isEqualTo(expected.size());
        for (int i = 0; i < spans.length; i++) assertThat(spans[i]).as(what + " " + i).containsExactly(floats(expected.get(i)));
    }

    @Test
    void rowNormalisationIsBitIdenticalToNumPyOnWideRows() {
        int naiveDiffers = 0;
        for (JsonNode c : ref.get("normalize")) {
            int k = c.get("k").asInt(), width = c.get("width").asInt(), rows = c.get("rows").asInt();
            float[] x = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < width; j++) x[r * width + j] = (float) (Math.floorMod(r * 7919 + j * 104729 + k * 31, 1000) / 997.0 - 0.5);
            }
            FloatMatrix y = new FloatMatrix(rows, width, x).l2NormalizeRows(1e-5f);
            for (int r = 0; r < rows; r++) {
                float denom = (float) c.get("denominators").get(r).asDouble();
                double naive = 0;
                for (int j = 0; j < width; j++) naive += (double) x[r * width + j] * x[r * width + j];
                if ((float) Math.sqrt(naive) + 1e-5f != denom) naiveDiffers++;
                for (int j = 0; j < width; j++) {
                    assertThat(y.data()[r * width + j]).as("width " + width + " row " + r + " col " + j).isEqualTo(x[r * width + j] / denom);
                }
            }
        }
        // The exact emulation matters: a double-precision norm rounds differently on some of these rows.
        assertThat(naiveDiffers).isPositive();
    }

    @Test
    void qvhighlightsFeaturesAndLabelsMatchTheOfficialDataset() throws IOException {
        List<Sample> ours = items(qvh("highlight_train_fixture.jsonl").build());
        JsonNode theirs = ref.get("qvh");
        assertThat(ours).hasSize(theirs.size());
        for (int i = 0; i < ours.size(); i++) {
            Sample s = ours.get(i);
            JsonNode t = theirs.get(i);
            String q = "qid " + t.get("qid").asText();
            assertMatrix(s.text(), t.get("query_feat"), q + " text");
            assertMatrix(s.video(), t.get("video_feat"), q + " video");
            SampleLabels l = s.labels();
            assertThat(l.posMask()).as(q + " pos_mask").containsExactly(floats(t.get("pos_mask")));
            assertThat(l.allLabels()).as(q + " saliency_all_labels").containsExactly(floats(t.get("saliency_all_labels")));
            assertThat(l.posLabels()[0]).as(q + " hard positive").isEqualTo(t.get("saliency_pos_labels").get(0).asLong());
            assertThat(l.negLabels()[0]).as(q + " hard negative").isEqualTo(t.get("saliency_neg_labels").get(0).asLong());
            Annotation a = s.annotation();
            int ctx = s.ctxLength();
            Set<Integer> relevant = new HashSet<>();
            for (int id : a.relevantClipIds()) relevant.add(id);
            boolean poolEmpty = relevant.containsAll(range(ctx));
            if (poolEmpty) {
                assertThat(l.posLabels()[1]).isEqualTo(l.posLabels()[0]);
                assertThat(l.negLabels()[1]).isEqualTo(l.negLabels()[0]);
                assertThat(t.get("saliency_pos_labels").get(1).asLong()).isEqualTo(t.get("saliency_pos_labels").get(0).asLong());
            } else {
                assertThat(relevant).as(q + " easy positive").contains((int) l.posLabels()[1]);
                assertThat((int) l.negLabels()[1]).as(q + " easy negative").isBetween(0, ctx - 1);
                assertThat(relevant).as(q + " easy negative").doesNotContain((int) l.negLabels()[1]);
            }
            if (a.relevantWindows().length <= 5) {
                assertSpans(l.spans(), t.get("span_labels"), q + " spans");
            } else {
                // Shuffled: 5 distinct windows out of the 7, each normalised exactly as the official code does.
                float[][] all = SpanLabels.of(a.relevantWindows(), ctx, 2, 100, new Generator(0));
                Set<String> possible = new HashSet<>();
                for (float[] sp : all) possible.add(Arrays.toString(sp));
                Set<String> got = new HashSet<>();
                for (float[] sp : l.spans()) got.add(Arrays.toString(sp));
                assertThat(got).hasSize(5);
                assertThat(possible).containsAll(got);
                for (JsonNode sp : t.get("span_labels")) assertThat(possible).contains(Arrays.toString(floats(sp)));
            }
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < n; i++) r.add(i);
        return r;
    }

    @Test
    void collatedBatchMatchesTheOfficialCollation() throws IOException {
        List<Sample> ours = items(qvh("highlight_train_fixture.jsonl").build());
        Batch b = Collator.collate(ours);
        JsonNode t = ref.get("qvh_batch");
        assertThat(b.srcTxt().shape()).containsExactly(ints(t.get("src_txt_shape")));
        assertThat(b.srcVid().shape()).containsExactly(ints(t.get("src_vid_shape")));
        assertRows(b.srcTxtMask().toFloatArray(), t.get("src_txt_mask"));
        assertRows(b.srcVidMask().toFloatArray(), t.get("src_vid_mask"));
        assertRows(b.targets().allLabels().toFloatArray(), t.get("saliency_all_labels"));
        assertRows(b.targets().posMask().toFloatArray(), t.get("src_pos_mask"));
        assertThat(t.get("pos_dtype").asText()).isEqualTo("torch.int64");
        assertThat(b.targets().posLabels().dtype()).isEqualTo(DType.INT64);
        double sum = 0;
        for (float v : b.srcVid().toFloatArray()) sum += v;
        assertThat(sum).isCloseTo(t.get("src_vid_sum").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
    }

    private static int[] ints(JsonNode n) {
        int[] r = new int[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = n.get(i).asInt();
        return r;
    }

    private static void assertRows(float[] flat, JsonNode rows) {
        int cols = rows.get(0).size();
        for (int r = 0; r < rows.size(); r++) {
            assertThat(Arrays.copyOfRange(flat, r * cols, (r + 1) * cols)).as("row " + r).containsExactly(floats(rows.get(r)));
        }
    }

    @Test
    void withoutNormalisationOrTef() throws IOException {
        List<Sample> ours = items(qvh("highlight_train_fixture.jsonl").normalizeVideo(false).normalizeText(false).ctxMode("video").build());
        JsonNode theirs = ref.get("qvh_no_norm_no_tef");
        for (int i = 0; i < theirs.size(); i++) {
            assertMatrix(ours.get(i).text(), theirs.get(i).get("query_feat"), "text " + i);
            assertMatrix(ours.get(i).video(), theirs.get(i).get("video_feat"), "video " + i);
        }
    }

    @Test
    void audioFeaturesAlignWithVideoAndGetTef() throws IOException {
        List<Sample> ours = items(qvh("highlight_train_fixture.jsonl").audioDir(aud).build());
        JsonNode theirs = ref.get("qvh_audio");
        for (int i = 0; i < theirs.size(); i++) {
            Sample s = ours.get(i);
            JsonNode t = theirs.get(i);
            assertMatrix(s.video(), t.get("video_feat"), "video " + i);
            assertMatrix(s.audio(), t.get("audio_feat"), "audio " + i);
            assertThat(s.labels().posMask()).as("pos_mask " + i).containsExactly(floats(t.get("pos_mask")));
            assertThat(s.labels().allLabels()).as("all labels " + i).containsExactly(floats(t.get("saliency_all_labels")));
            assertThat(s.labels().posLabels()[0]).isEqualTo(t.get("saliency_pos_labels").get(0).asLong());
            assertThat(s.labels().negLabels()[0]).isEqualTo(t.get("saliency_neg_labels").get(0).asLong());
        }
    }

    @Test
    void pretrainingLabelsMatch() throws IOException {
        List<Sample> ours = items(qvh("subs_train_fixture.jsonl").build());
        assertThat(ours.get(0).annotation().source().toString()).contains("subs_train");
        JsonNode theirs = ref.get("subs");
        for (int i = 0; i < theirs.size(); i++) {
            Sample s = ours.get(i);
            JsonNode t = theirs.get(i);
            SampleLabels l = s.labels();
            assertMatrix(s.video(), t.get("video_feat"), "video " + i);
            assertThat(l.posMask()).containsExactly(floats(t.get("pos_mask")));
            assertThat(l.allLabels()).containsExactly(floats(t.get("saliency_all_labels")));
            assertSpans(l.spans(), t.get("span_labels"), "spans " + i);
            // Positives inside the labelled run, negatives outside it; the official draws satisfy the same.
            for (long[] labels : new long[][] {l.posLabels(), longs(t.get("saliency_pos_labels"))}) {
                for (long p : labels) assertThat(l.allLabels()[(int) p]).isEqualTo(1f);
            }
            for (long[] labels : new long[][] {l.negLabels(), longs(t.get("saliency_neg_labels"))}) {
                assertThat(labels[0]).isNotEqualTo(labels[1]);
                for (long p : labels) assertThat(l.allLabels()[(int) p]).isEqualTo(0f);
            }
        }
    }

    private static long[] longs(JsonNode n) {
        long[] r = new long[n.size()];
        for (int i = 0; i < r.length; i++) r[i] = n.get(i).asLong();
        return r;
    }

    @Test
    void tvsumMatchesEverything() throws IOException {
        DatasetOptions o = DatasetOptions.builder(DatasetKind.TVSUM, root.resolve("tvsum_fixture.jsonl")).videoDirs(tv).textDir(tvtxt)
                .maxVideoLength(ref.get("max_v_l").asInt()).maxQueryLength(ref.get("max_q_l").asInt()).domain("BK").build();
        List<Sample> ours = items(o);
        JsonNode theirs = ref.get("tvsum");
        assertThat(ours).hasSize(theirs.size());
        for (int i = 0; i < theirs.size(); i++) {
            Sample s = ours.get(i);
            JsonNode t = theirs.get(i);
            assertMatrix(s.text(), t.get("query_feat"), "text " + i);
            assertMatrix(s.video(), t.get("video_feat"), "video " + i);
            SampleLabels l = s.labels();
            assertThat(l.posMask()).containsExactly(floats(t.get("pos_mask")));
            assertThat(l.allLabels()).containsExactly(floats(t.get("saliency_all_labels")));
            assertThat(l.posLabels()).containsExactly(longs(t.get("saliency_pos_labels")));
            assertThat(l.negLabels()).containsExactly(longs(t.get("saliency_neg_labels")));
            assertSpans(l.spans(), t.get("span_labels"), "spans");
        }
    }
}
