package trdetr.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaDevice;
import trdetr.clip.ClipModel;
import trdetr.opcheck.GradCheck;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;
import trdetr.video.VideoFixtures;

/**
 * {@code trdetr features --device cuda}'s arithmetic: the reference extractor's frames through our normalisation and
 * CLIP on the GPU, against its image features with {@link ClipFeatureExtractorTest}'s bounds (float64 1e-9; float32
 * 1e-5). Needs no FFmpeg (the GPU machine has none). Skipped without a usable GPU; tools/gpu_checks.sh runs it.
 */
class CudaClipFeatureExtractorTest {
    @Test
    void referenceFramesOnTheGpuGiveTheReferenceImageFeatures() throws Exception {
        assumeTrue(CudaBackend.isAvailable(), CudaDevice.unavailableReason());
        CudaBackend cuda = CudaBackend.get();
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            ClipFeatureExtractor x = new ClipFeatureExtractor(ClipModel.load(VideoFixtures.CLIP_DIR, cuda, dtype), null, null, 2, 4);
            for (VideoFixtures.Video v : VideoFixtures.VIDEOS) {
                byte[] frames = VideoFixtures.frames("frames32_" + v.name());
                Tensor f = x.encodeFrames(frames, frames.length / (32 * 32 * 3), 32);
                double[] expected = ClipFeatureExtractorTest.doubles("image_embeds_f64_" + v.name());
                double err = GradCheck.relativeError(f.toDoubleArray(), expected);
                System.out.printf("%s %s on the GPU against the reference float64: %.3g%n", v.name(), dtype, err);
                assertThat(err).as(v.name() + " " + dtype).isLessThan(dtype == DType.FLOAT64 ? 1e-9 : 1e-5);
            }
        }
    }
}
