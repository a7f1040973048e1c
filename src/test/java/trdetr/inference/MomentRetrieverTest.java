package trdetr.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.backend.cpu.CpuBackend;
import trdetr.clip.ClipModel;
import trdetr.clip.ClipTokenizer;
import trdetr.features.ClipFeatureExtractor;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;
import trdetr.train.AdamW;
import trdetr.train.Checkpoint;
import trdetr.video.Ffmpeg;
import trdetr.video.VideoFixtures;

/** Moment retrieval on video files and on videos longer than the model's window. */
public class MomentRetrieverTest {
    @TempDir Path tmp;

    /** A small random TR-DETR that reads the fixture CLIP's features (32 + 2 TEF video, 64 text), maxClips clips a window. */
    public static Path smallCheckpoint(Path file, int maxClips) throws Exception {
        TrDetrConfig c = TrDetrConfig.fromOptions(Map.of("enc_layers", 1, "dec_layers", 1, "dim_feedforward", 32, "num_queries", 6,
                "v_feat_dim", 34, "t_feat_dim", 64, "max_v_l", maxClips, "max_q_l", 32));
        TrDetr model = new TrDetr(c, new Generator(3), DType.FLOAT32);
        Checkpoint.save(file, model, new AdamW(model.namedParameters(), 1e-4, 0.9, 0.999, 1e-8, 1e-4), new Checkpoint.Progress(0, 0, 0, Map.of()));
        return file;
    }

    private MomentRetriever retriever(int maxClips, Ffmpeg ffmpeg) throws Exception {
        TrDetr model = Checkpoint.loadModel(smallCheckpoint(tmp.resolve("small" + maxClips + ".ckpt"), maxClips), null);
        ClipModel clip = ClipModel.load(VideoFixtures.CLIP_DIR, CpuBackend.INSTANCE, DType.FLOAT32);
        return new MomentRetriever(model, new ClipFeatureExtractor(clip, ClipTokenizer.fromHuggingFace(VideoFixtures.CLIP_DIR), ffmpeg, 2, 8));
    }

    @Test
    void windowsCoverTheVideoHalfAWindowApart() {
        assertThat(MomentRetriever.windowStarts(7, 75)).containsExactly(0);
        assertThat(MomentRetriever.windowStarts(75, 75)).containsExactly(0);
        assertThat(MomentRetriever.windowStarts(76, 75)).containsExactly(0, 1);
        assertThat(MomentRetriever.windowStarts(200, 75)).containsExactly(0, 37, 74, 111, 125);
        assertThat(MomentRetriever.windowStarts(20, 8)).containsExactly(0, 4, 8, 12);
    }

    /**
     * A 20-clip video through an 8-clip model: every moment reported is one that a window, predicted alone as a video
     * of its own, gives, moved by the window's start; the best is the best of all windows; ranked by score, no two
     * overlapping beyond the NMS threshold; each clip's saliency is the mean of the windows that hold it.
     */
    @Test
    void aLongVideoIsItsWindowsPredictedAlone() throws Exception {
        MomentRetriever r = retriever(8, null);
        int clips = 20;
        Random rng = new Random(5);
        float[] f = new float[clips * 32];
        for (int i = 0; i < f.length; i++) f[i] = (float) rng.nextGaussian();
        Tensor video = Tensor.fromHost(CpuBackend.INSTANCE, f, clips, 32);
        List<String> queries = List.of("A man walks his dog along the beach at sunset.", "the camera pans across a crowded street market");
        List<MomentRetriever.Result> whole = r.predict(video, queries);
        int[] starts = MomentRetriever.windowStarts(clips, 8);
        List<List<MomentRetriever.Result>> alone = new ArrayList<>();
        for (int s : starts) alone.add(r.predict(video.slice(0, s, s + 8).contiguousCopy(), queries));
        for (int q = 0; q < queries.size(); q++) {
            MomentRetriever.Result res = whole.get(q);
            assertThat(res.clips()).isEqualTo(clips);
            List<double[]> candidates = new ArrayList<>();
            double best = Double.NEGATIVE_INFINITY;
            for (int w = 0; w < starts.length; w++) {
                MomentRetriever.Result a = alone.get(w).get(q);
                assertThat(a.clips()).isEqualTo(8);
                for (MomentRetriever.Moment m : a.moments()) {
                    candidates.add(new double[] {m.start() + 2 * starts[w], m.end() + 2 * starts[w], m.score()});
                    best = Math.max(best, m.score());
                }
            }
            assertThat(res.moments()).isNotEmpty().hasSizeLessThanOrEqualTo(MomentRetriever.TOP_MOMENTS);
            assertThat(res.moments().get(0).score()).isEqualTo(best);
            for (int i = 0; i < res.moments().size(); i++) {
                MomentRetriever.Moment m = res.moments().get(i);
                double[] got = {m.start(), m.end(), m.score()};
                assertThat(candidates.stream().anyMatch(c -> java.util.Arrays.equals(c, got))).as("moment %s of query %d is a window's", m, q).isTrue();
                if (i > 0) assertThat(m.score()).isLessThanOrEqualTo(res.moments().get(i - 1).score());
                for (int j = 0; j < i; j++) assertThat(iou(m, res.moments().get(j))).isLessThanOrEqualTo(MomentRetriever.NMS_THRESHOLD);
            }
            for (int clip = 0; clip < clips; clip++) {
                double sum = 0;
                int n = 0;
                for (int w = 0; w < starts.length; w++) {
                    if (clip >= starts[w] && clip < starts[w] + 8) {
                        sum += alone.get(w).get(q).saliency()[clip - starts[w]];
                        n++;
                    }
                }
                assertThat(res.saliency()[clip]).as("clip %d", clip).isCloseTo(sum / n, Offset.offset(1e-12));
            }
        }
    }

    @Test
    void aVideoFileGivesTheAnswerOfItsFeatures() throws Exception {
        MomentRetriever r = retriever(8, VideoFixtures.ffmpeg());
        Path walk = VideoFixtures.DIR.resolve("walk.mp4");
        List<MomentRetriever.Result> fromFile = r.predict(walk, List.of("a man walks his dog"));
        List<MomentRetriever.Result> fromFeatures = r.predict(r.encodeVideo(walk), List.of("a man walks his dog"));
        assertThat(fromFile.get(0).clips()).isEqualTo(7);
        assertThat(fromFile.get(0).moments()).isEqualTo(fromFeatures.get(0).moments());
        for (MomentRetriever.Moment m : fromFile.get(0).moments()) {
            assertThat(m.start()).isBetween(0.0, m.end());
            assertThat(m.end()).isLessThanOrEqualTo(14.0);
        }
    }

    @Test
    void aModelOfOtherFeaturesIsRefusedInOneLine() throws Exception {
        TrDetrConfig c = TrDetrConfig.fromOptions(Map.of("enc_layers", 1, "dec_layers", 1, "dim_feedforward", 8, "num_queries", 2,
                "v_feat_dim", 2818, "t_feat_dim", 64));
        TrDetr model = new TrDetr(c, new Generator(0), DType.FLOAT32);
        ClipModel clip = ClipModel.load(VideoFixtures.CLIP_DIR, CpuBackend.INSTANCE, DType.FLOAT32);
        assertThatThrownBy(() -> new MomentRetriever(model, new ClipFeatureExtractor(clip, null, null, 2, 8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the checkpoint's model reads 2818 video columns (v_feat_dim with TEF), but CLIP gives 32 + 2 TEF: it needs a model "
                            + "trained on CLIP-only video features (--v-feat-dirs .../clip_features)");
    }

    private static double iou(MomentRetriever.Moment a, MomentRetriever.Moment b) {
        double inter = Math.max(0, Math.min(a.end(), b.end()) - Math.max(a.start(), b.start()));
        double union = Math.max(a.end(), b.end()) - Math.min(a.start(), b.start());
        return union <= 0 ? 0 : inter / union;
    }
}
