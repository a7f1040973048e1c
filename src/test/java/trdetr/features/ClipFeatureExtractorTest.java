package trdetr.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import trdetr.backend.cpu.CpuBackend;
import trdetr.clip.ClipModel;
import trdetr.clip.ClipTokenizer;
import trdetr.opcheck.GradCheck;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;
import trdetr.video.Ffmpeg;
import trdetr.video.VideoFixtures;

/**
 * Video and query features against the reference extractor (tools/make_video_fixtures.py: Moment-DETR's VideoLoader and
 * Preprocessing, OpenAI's CLIP with the fixture model's weights): float64 ≤ 1e-9 relative to its float64 answer;
 * float32 within 10 × OpenAI's own float32 error of that answer and within 1e-5.
 */
class ClipFeatureExtractorTest {
    private static ClipFeatureExtractor extractor(DType dtype, Ffmpeg ffmpeg) throws Exception {
        ClipModel clip = ClipModel.load(VideoFixtures.CLIP_DIR, CpuBackend.INSTANCE, dtype);
        return new ClipFeatureExtractor(clip, ClipTokenizer.fromHuggingFace(VideoFixtures.CLIP_DIR), ffmpeg, 2, 4);
    }

    /** A reference array widened to double (exactly), whatever its float type. */
    static double[] doubles(String key) {
        return VideoFixtures.ref(key).toTensor().toDoubleArray();
    }

    /** Holds ours to the reference: float64 to rounding, float32 to OpenAI's own float32 error. */
    private static void assertClose(String what, DType dtype, double[] ours, String key) {
        double[] f64 = doubles(key.replace("{}", "f64"));
        double err = GradCheck.relativeError(ours, f64);
        if (dtype == DType.FLOAT64) {
            assertThat(err).as(what + ": float64 against the reference's float64").isLessThan(1e-9);
        } else {
            double theirs = GradCheck.relativeError(doubles(key.replace("{}", "f32")), f64);
            assertThat(err).as(what + ": float32 against the reference's float64 (the reference's float32: " + theirs + ")")
                    .isLessThan(Math.min(1e-5, 10 * theirs));
        }
    }

    /** The reference's frames through our normalisation and CLIP: its image features (no FFmpeg needed). */
    @Test
    void referenceFramesGiveTheReferenceImageFeatures() throws Exception {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            ClipFeatureExtractor x = extractor(dtype, null);
            for (VideoFixtures.Video v : VideoFixtures.VIDEOS) {
                byte[] frames = VideoFixtures.frames("frames32_" + v.name());
                Tensor f = x.encodeFrames(frames, frames.length / (32 * 32 * 3), 32);
                assertClose(v.name() + " frames", dtype, f.toDoubleArray(), "image_embeds_{}_" + v.name());
            }
        }
    }

    /** The whole path: file, FFmpeg, frames, pixels, CLIP, in batches of 4 frames (walk has 7: a batch of 3 at the end). */
    @Test
    void videoFilesGiveTheReferenceImageFeatures() throws Exception {
        Ffmpeg ffmpeg = VideoFixtures.ffmpeg();
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            ClipFeatureExtractor x = extractor(dtype, ffmpeg);
            for (VideoFixtures.Video v : VideoFixtures.VIDEOS) {
                int[] seen = {0};
                Tensor f = x.encodeVideo(v.path(), n -> seen[0] = n);
                int[] expectedShape = VideoFixtures.ref("image_embeds_f64_" + v.name()).shape();
                assertThat(f.shape()).as(v.name()).containsExactly(expectedShape);
                assertThat(f.dtype()).isEqualTo(dtype);
                assertThat(seen[0]).isEqualTo(expectedShape[0]);
                assertClose(v.name() + " file", dtype, f.toDoubleArray(), "image_embeds_{}_" + v.name());
            }
        }
    }

    /** Query strings: the reference tokenizer's ids (the small BPE), then its per-token states and pooled output. */
    @Test
    void queriesGiveTheReferenceTextFeatures() throws Exception {
        List<String> queries = new com.fasterxml.jackson.databind.ObjectMapper().readValue(VideoFixtures.ref("queries").utf8(),
                new com.fasterxml.jackson.core.type.TypeReference<List<String>>() {});
        long[] ids = (long[]) VideoFixtures.ref("ids").data();
        int width = 64, embed = 32;
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            ClipFeatureExtractor x = extractor(dtype, null);
            ClipTokenizer tok = ClipTokenizer.fromHuggingFace(VideoFixtures.CLIP_DIR);
            List<ClipFeatureExtractor.QueryFeatures> f = x.encodeQueries(queries);     // batches of 4: 4 + 1
            assertThat(f).hasSize(queries.size());
            double[] hidden64 = doubles("text_hidden_f64"), hidden32 = doubles("text_hidden_f32");
            for (int q = 0; q < queries.size(); q++) {
                int[] row = tok.tokenize(queries.get(q));
                long[] expected = Arrays.copyOfRange(ids, q * 77, q * 77 + row.length);
                assertThat(Arrays.stream(row).asLongStream().toArray()).as("ids of " + queries.get(q)).containsExactly(expected);
                assertThat(ids[q * 77 + row.length - 1]).isEqualTo(tok.endOfText());
                int len = row.length;
                assertThat(f.get(q).lastHiddenState().shape()).containsExactly(len, width);
                double[] ours = f.get(q).lastHiddenState().toDoubleArray();
                double[] ref64 = Arrays.copyOfRange(hidden64, q * 77 * width, (q * 77 + len) * width);
                double[] ref32 = Arrays.copyOfRange(hidden32, q * 77 * width, (q * 77 + len) * width);
                double err = GradCheck.relativeError(ours, ref64), theirs = GradCheck.relativeError(ref32, ref64);
                assertThat(err).as("query %d states (%s; reference float32 %s)", q, dtype, theirs)
                        .isLessThan(dtype == DType.FLOAT64 ? 1e-9 : Math.min(1e-5, 10 * theirs));
                assertThat(f.get(q).pooledOutput().shape()).containsExactly(embed);
            }
            double[] pooled = new double[queries.size() * embed];
            for (int q = 0; q < queries.size(); q++) System.arraycopy(f.get(q).pooledOutput().toDoubleArray(), 0, pooled, q * embed, embed);
            assertClose("pooled outputs", dtype, pooled, "text_embeds_{}");
        }
    }
}
