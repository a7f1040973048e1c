package trdetr.clip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import trdetr.video.VideoFixtures;

/** CLIP's pixel normalisation against the reference extractor's Preprocessing, bit for bit. */
class ClipImageNormalizationTest {
    @Test
    void everyByteValueInEveryChannelIsTheReferencesFloat() {
        float[] expected = (float[]) VideoFixtures.ref("norm_table").data();     // (3, 256)
        byte[] rgb = new byte[256 * 3];
        for (int v = 0; v < 256; v++) for (int c = 0; c < 3; c++) rgb[3 * v + c] = (byte) v;
        float[] ours = ClipImageNormalization.normalize(rgb, 1, 16);             // a 16 × 16 frame holds the 256 pixels
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                assertThat(Float.floatToIntBits(ours[c * 256 + v])).as("channel %d, value %d", c, v)
                        .isEqualTo(Float.floatToIntBits(expected[c * 256 + v]));
            }
        }
    }

    @Test
    void theReferencesFramesGiveItsPixels() {
        for (VideoFixtures.Video v : VideoFixtures.VIDEOS) {
            byte[] frames = VideoFixtures.frames("frames32_" + v.name());
            float[] expected = (float[]) VideoFixtures.ref("pixels32_" + v.name()).data();
            float[] ours = ClipImageNormalization.normalize(frames, frames.length / (32 * 32 * 3), 32);
            assertThat(ours).as(v.name()).containsExactly(expected);
        }
    }
}
