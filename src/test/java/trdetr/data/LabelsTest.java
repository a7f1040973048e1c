package trdetr.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import trdetr.io.FormatException;
import trdetr.tensor.Generator;

/** Label rules of spec §5.3, checked by hand on small cases. */
class LabelsTest {
    static Annotation qvh(int[] ids, int[][] scores, double[]... windows) {
        return new Annotation(Path.of("a.jsonl"), 4, "17", true, "q", 150, "v", windows, ids, scores, null, null);
    }

    @Test
    void spansAreNormalisedByFeatureLengthInFloat32() {
        float[][] s = SpanLabels.of(new double[][] {{26, 36}, {0, 150}}, 75, 2, 5, new Generator(0));
        // 26/150 = 0.17333…, 36/150 = 0.24: center and width from the float32 values
        float st = 26f / 150f, ed = 36f / 150f;
        assertThat(s[0]).containsExactly((st + ed) * 0.5f, ed - st);
        assertThat(s[1]).containsExactly(0.5f, 1f);
        // ctx_l, not the duration: a 70-clip feature makes 150 s into 140
        assertThat(SpanLabels.of(new double[][] {{0, 140}}, 70, 2, 5, new Generator(0))[0]).containsExactly(0.5f, 1f);
    }

    @Test
    void moreThanMaxWindowsKeepsFiveDistinctShuffledOnes() {
        double[][] w = new double[8][];
        for (int i = 0; i < 8; i++) w[i] = new double[] {10 * i, 10 * i + 4};
        double[][] original = Arrays.stream(w).map(double[]::clone).toArray(double[][]::new);
        Set<String> seenFirst = new HashSet<>();
        for (int seed = 0; seed < 40; seed++) {
            float[][] s = SpanLabels.of(w, 75, 2, 5, new Generator(seed));
            assertThat(s).hasNumberOfRows(5);
            Set<Float> centers = new HashSet<>();
            for (float[] r : s) {
                centers.add(r[0]);
                assertThat(r[1]).isCloseTo(4f / 150f, org.assertj.core.data.Offset.offset(1e-6f));
            }
            assertThat(centers).hasSize(5);
            seenFirst.add(Arrays.toString(s[0]));
            // deterministic in the generator
            assertThat(SpanLabels.of(w, 75, 2, 5, new Generator(seed))).isDeepEqualTo(s);
        }
        assertThat(seenFirst.size()).isGreaterThan(3); // really shuffled
        assertThat(w).isDeepEqualTo(original);          // the annotation is not mutated
        // exactly five: no shuffle, file order
        float[][] five = SpanLabels.of(Arrays.copyOf(w, 5), 75, 2, 5, new Generator(1));
        for (int i = 0; i < 5; i++) assertThat(five[i][0]).isEqualTo(((10f * i) / 150f + (10f * i + 4) / 150f) * 0.5f);
    }

    @Test
    void saliencyHardAndEasyPairs() {
        // clip ids 3,4,5,9 with sums 6, 12, 3, 9 → hard pos = 4 (12), hard neg = 5 (3)
        int[] ids = {3, 4, 5, 9};
        int[][] scores = {{2, 2, 2}, {4, 4, 4}, {1, 1, 1}, {3, 3, 3}};
        for (int seed = 0; seed < 20; seed++) {
            SaliencyLabels.Result r = SaliencyLabels.of(ids, scores, 12, new Generator(seed));
            assertThat(r.pos()[0]).isEqualTo(4);
            assertThat(r.neg()[0]).isEqualTo(5);
            assertThat(new long[] {3, 4, 5, 9}).contains(r.pos()[1]);
            assertThat(r.neg()[1]).isBetween(0L, 11L).isNotIn(3L, 4L, 5L, 9L);
            assertThat(r.all()).containsExactly(0, 0, 0, 6, 12, 3, 0, 0, 0, 9, 0, 0);
        }
    }

    @Test
    void tiesTakeTheStableOrder() {
        // sums: 6, 9, 9, 3, 3 → ascending stable order 3,4,0,1,2: hard neg = id of index 3, hard pos = id of index 2
        int[] ids = {10, 11, 12, 13, 14};
        int[][] scores = {{2, 2, 2}, {3, 3, 3}, {4, 4, 1}, {1, 1, 1}, {0, 1, 2}};
        SaliencyLabels.Result r = SaliencyLabels.of(ids, scores, 20, new Generator(0));
        assertThat(r.pos()[0]).isEqualTo(12);
        assertThat(r.neg()[0]).isEqualTo(13);
    }

    @Test
    void noEasyPoolCopiesTheHardPairAndHardIdsAreClamped() {
        int[] ids = {0, 1, 2, 3};
        int[][] scores = {{1, 1, 1}, {0, 0, 0}, {2, 2, 2}, {4, 4, 4}};
        SaliencyLabels.Result r = SaliencyLabels.of(ids, scores, 4, new Generator(3));
        assertThat(r.pos()).containsExactly(3, 3);
        assertThat(r.neg()).containsExactly(1, 1);
    }

    @Test
    void clipIdEqualToCtxLengthGrowsTheLabelsAndErasesThePositiveMask() {
        // ctx_l 6, ids 4, 5, 6: saliency labels grow to 7; pos_mask keeps only id 6 (the official erasure)
        int[] ids = {4, 5, 6};
        int[][] scores = {{2, 2, 2}, {3, 3, 3}, {1, 1, 1}};
        SaliencyLabels.Result r = SaliencyLabels.of(ids, scores, 6, new Generator(0));
        assertThat(r.all()).containsExactly(0, 0, 0, 0, 6, 9, 3);
        assertThat(r.pos()[0]).isEqualTo(5);
        assertThat(r.neg()[0]).isEqualTo(5); // id 6 clamped to ctx_l − 1
        assertThat(PositiveMask.fromClipIds(ids, 6)).containsExactly(0, 0, 0, 0, 0, 0, 1);
        assertThat(PositiveMask.fromClipIds(new int[] {1, 9}, 6)).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        assertThat(PositiveMask.fromClipIds(new int[] {1, 5}, 6)).containsExactly(0, 1, 0, 0, 0, 1);
    }

    @Test
    void idsTheOfficialLoaderCannotHandleStopWithTheRecord() {
        Annotation beyond = qvh(new int[] {2, 8}, new int[][] {{1, 1, 1}, {2, 2, 2}}, new double[] {4, 18});
        assertThatThrownBy(() -> LabelRules.of(DatasetKind.QVHIGHLIGHTS, beyond, 6, 2, 5, new Generator(0)))
                .isInstanceOf(FormatException.class)
                .hasMessage("a.jsonl: line 4, qid 17 (vid v): relevant clip id 8 is beyond the feature length 6 (the official loader fails here too) (feature length 6)");
        Annotation two = qvh(new int[] {6, 6}, new int[][] {{1, 1, 1}, {2, 2, 2}}, new double[] {12, 14});
        assertThatThrownBy(() -> LabelRules.of(DatasetKind.QVHIGHLIGHTS, two, 6, 2, 5, new Generator(0)))
                .hasMessageContaining("two relevant clip ids ≥ the feature length 6");
    }

    @Test
    void subtitleLabels() {
        // window [6.5, 11.9] s, clip 2, ctx 10: gs = 3, ge = min(5, 10) − 1 = 4
        for (int seed = 0; seed < 20; seed++) {
            SaliencyLabels.Result r = SubtitleSaliencyLabels.of(new double[] {6.5, 11.9}, 2, 10, new Generator(seed));
            assertThat(r.all()).containsExactly(0, 0, 0, 1, 1, 0, 0, 0, 0, 0);
            assertThat(r.pos()).containsExactlyInAnyOrder(3, 4);
            assertThat(r.neg()[0]).isNotEqualTo(r.neg()[1]);
            for (long n : r.neg()) assertThat(n).isNotIn(3L, 4L).isBetween(0L, 9L);
        }
        // window past the features: gs = ge = ctx_l − 1, positives [gs, gs]
        SaliencyLabels.Result end = SubtitleSaliencyLabels.of(new double[] {14.2, 19}, 2, 8, new Generator(0));
        assertThat(end.pos()).containsExactly(7, 7);
        assertThat(end.all()).containsExactly(0, 0, 0, 0, 0, 0, 0, 1);
        // negative pool too small: Lighthouse's fallback, negatives = positives
        SaliencyLabels.Result small = SubtitleSaliencyLabels.of(new double[] {0, 6}, 2, 4, new Generator(0));
        assertThat(small.neg()).containsExactly(small.pos());
    }

    @Test
    void charadesFollowsLighthouse() {
        // clip 1 s, ctx 30, first window [20.8, 29.42]: clips floor(20.8) = 20 .. ceil(29.42) = 30 exclusive
        float[] m = PositiveMask.fromFirstWindow(new double[] {20.8, 29.42}, 1, 30);
        for (int i = 0; i < 30; i++) assertThat(m[i]).as("clip " + i).isEqualTo(i >= 20 ? 1f : 0f);
        // ceil reaches past ctx_l: the erasure quirk then the cut leave nothing
        assertThat(PositiveMask.fromFirstWindow(new double[] {20.8, 30.2}, 1, 30)).hasSize(30).containsOnly(0f);
        // a zero-length window covers one clip
        assertThat(PositiveMask.fromFirstWindow(new double[] {3, 3}, 1, 5)).containsExactly(0, 0, 0, 1, 0);

        Annotation a = new Annotation(Path.of("c.jsonl"), 1, "1", true, "q", 29.42, "Y6R7T", new double[][] {{20.8, 29.42}}, null, null, null, null);
        SampleLabels l = LabelRules.of(DatasetKind.CHARADES, a, 30, 1, 5, new Generator(0));
        assertThat(l.spans()[0]).containsExactly(((float) 20.8 / 30f + (float) 29.42 / 30f) * 0.5f, (float) 29.42 / 30f - (float) 20.8 / 30f);
        // binary saliency on [int(20.8), min(int(29.42), 30) − 1] = [20, 28]
        for (int i = 0; i < 30; i++) assertThat(l.allLabels()[i]).isEqualTo(i >= 20 && i <= 28 ? 1f : 0f);
        assertThat(l.posLabels()).hasSize(2);
        for (long p : l.posLabels()) assertThat(p).isBetween(20L, 28L);
        for (long n : l.negLabels()) assertThat(n < 20 || n > 28).as("negative " + n).isTrue();
    }

    @Test
    void tvsumLabels() {
        // 4 clips × 3 annotators (the real data has 20): agg = Σ(score − 1)
        double[][] label = {{1, 1, 1}, {5, 5, 5}, {3, 2, 1}, {2, 2, 2}, {4, 4, 4}};
        SampleLabels l = TvsumLabels.of(label, 4); // ctx_l 4 < 5 label rows
        // agg = 0, 12, 3, 3 → ×12/80
        assertThat(l.allLabels()).containsExactly(0f, (float) (12.0 / 80 * 12), (float) (3.0 / 80 * 12), (float) (3.0 / 80 * 12));
        assertThat(l.posLabels()).containsExactly(1);
        assertThat(l.negLabels()).containsExactly(0);
        // ascending stable order 0, 2, 3, 1; upper half from 4 // 2 = 2: clips 3 and 1
        assertThat(l.posMask()).containsExactly(0, 1, 0, 1);
        assertThat(l.spans()).isDeepEqualTo(new float[][] {{0, 0}});
    }

    @Test
    void samplingHelpers() {
        Generator g = new Generator(5);
        int[] s = RandomSampling.sample(new int[] {7, 8, 9}, 3, g);
        assertThat(s).containsExactlyInAnyOrder(7, 8, 9);
        assertThatThrownBy(() -> RandomSampling.sample(new int[] {1}, 2, g)).isInstanceOf(IllegalArgumentException.class);
        // uniform-ish: each of 4 values is drawn first about a quarter of the time
        int[] counts = new int[4];
        for (int i = 0; i < 4000; i++) counts[RandomSampling.sampleRange(0, 4, 1, g)[0]]++;
        for (int c : counts) assertThat(c).isBetween(850, 1150);
    }
}
