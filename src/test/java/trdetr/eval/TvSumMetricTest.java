package trdetr.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import trdetr.pyexact.PythonFloats;

/** TVSum's top-5 mAP on cases worked out by hand. */
class TvSumMetricTest {

    /** A (clips, 1) label matrix. */
    private static double[][] column(double... v) {
        double[][] m = new double[v.length][1];
        for (int i = 0; i < v.length; i++) m[i][0] = v[i];
        return m;
    }

    @Test
    void theMedianSplitAndTheTopFiveTrapezoid() {
        // labels 1..6: lower median 3, positives = clips 3, 4, 5. Ranking 0..5 puts them at ranks 4 and 5 of the top 5
        // (clip 5 falls outside): hits 0,0,0,1,2 of 2 → AP = 0.5·(0 + 1/4)/2 + 0.5·(1/4 + 2/5)/2 = 0.0625 + 0.1625.
        double[] ap = TvSumMetric.videoAps(new float[] {6, 5, 4, 3, 2, 1}, column(1, 2, 3, 4, 5, 6), 5);
        assertThat(ap[0]).isCloseTo(0.225, within(1e-15));
        // the perfect ranking: 3 positives first → AP 1
        assertThat(TvSumMetric.videoAps(new float[] {1, 2, 3, 4, 5, 6}, column(1, 2, 3, 4, 5, 6), 5)[0]).isCloseTo(1.0, within(1e-15));
    }

    @Test
    void evenCountsUseTheLowerMedianAndNoPositiveInTheTopFiveGivesZero() {
        // [1, 1, 2, 2]: lower median 1 → positives clips 2, 3 (label 2 > 1), not "> 1.5"
        assertThat(TvSumMetric.lowerMedian(new float[] {2, 1, 2, 1})).isEqualTo(1f);
        // ranking clip 1 then clip 0 then ... top-5 of 4 clips = all 4: hits at ranks 3, 4 → 0.5·(0+1/3)/2 + 0.5·(1/3+1/2)/2
        double[] ap = TvSumMetric.videoAps(new float[] {0.9f, 1f, 0.1f, 0.2f}, column(1, 1, 2, 2), 5);
        assertThat(ap[0]).isCloseTo(0.5 * (1.0 / 3) / 2 + 0.5 * (1.0 / 3 + 0.5) / 2, within(1e-15));
        // 7 clips, positives only at ranks 6 and 7
        double[] none = TvSumMetric.videoAps(new float[] {7, 6, 5, 4, 3, 2, 1}, column(0, 0, 0, 0, 0, 5, 5), 5);
        assertThat(none[0]).isZero();
    }

    @Test
    void tiesKeepClipOrderAndSaliencyIsCutToTheLabels() {
        // equal scores: clip 0 ranks first; the padded tail (clips beyond the labels) is ignored
        double[][] label = column(0, 5, 0);
        assertThat(TvSumMetric.videoAps(new float[] {1, 1, 1, 99, 99}, label, 5)[0]).isEqualTo(0.25);
        // same without the padded tail. Labels [0, 5, 0]: lower median 0, clip 1 positive; ranks 0, 1, 2 → a miss
        // (precision 0), then the hit: (1 − 0)·(0 + 1/2)/2 = 0.25, then nothing new
        assertThat(TvSumMetric.videoAps(new float[] {1, 1, 1}, label, 5)[0]).isEqualTo(0.25);
    }

    @Test
    void theOfficialAveragingKeepsOnlyTheLastVideoOfEachBatch() {
        double[][] l = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}};   // 6 clips, 2 identical annotators
        float[] perfect = {1, 2, 3, 4, 5, 6}, reversed = {6, 5, 4, 3, 2, 1};
        List<float[]> sal = List.of(perfect, reversed, perfect);
        List<double[][]> labels = List.of(l, l, l);
        double apReversed = TvSumMetric.videoAps(reversed, l, 5)[0], apPerfect = TvSumMetric.videoAps(perfect, l, 5)[0];
        // batches of 2: {0, 1} → video 1 (reversed), {2} → video 2 (perfect)
        assertThat(TvSumMetric.meanAp(sal, labels, 2, TvSumMetric.Averaging.OFFICIAL_LAST_VIDEO_PER_BATCH))
                .isEqualTo(PythonFloats.numpyRound((apReversed + apPerfect) / 2, 5));
        assertThat(TvSumMetric.meanAp(sal, labels, 2, TvSumMetric.Averaging.EVERY_VIDEO))
                .isEqualTo(PythonFloats.numpyRound((apReversed + 2 * apPerfect) / 3, 5));
        // one batch holding everything: only the last video
        assertThat(TvSumMetric.meanAp(sal, labels, 100, TvSumMetric.Averaging.OFFICIAL_LAST_VIDEO_PER_BATCH))
                .isEqualTo(PythonFloats.numpyRound(apPerfect, 5));
        assertThat(TvSumMetric.meanAp(sal, labels, 100, TvSumMetric.Averaging.OFFICIAL_LAST_VIDEO_PER_BATCH)).isEqualTo(1.0);
        assertThat(TvSumMetric.meanAp(sal, labels, 1, TvSumMetric.Averaging.OFFICIAL_LAST_VIDEO_PER_BATCH))
                .isEqualTo(TvSumMetric.meanAp(sal, labels, 1, TvSumMetric.Averaging.EVERY_VIDEO));
    }
}
