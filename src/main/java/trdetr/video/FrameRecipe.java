package trdetr.video;

import java.util.List;
import trdetr.pyexact.PythonFloats;

/**
 * How the released CLIP features sampled a video: HERO_Video_Feature_Extractor's {@code clip/video_loader.py}, which
 * Moment-DETR copied into {@code run_on_video/data_utils.py} (QVHighlights' {@code clip_features} were made with it,
 * ViT-B/32 at 224 pixels, one frame per 2-second clip). Restated, not copied:
 * <ol>
 *   <li><b>Frames</b>: FFmpeg's {@code fps} filter at {@code 1 / clip_length} frames per second (0.5 for 2-second
 *       clips): a frame at t = 0, 2, 4, ... s, each the decoded frame nearest that time. A video whose known duration is
 *       under {@code clip_length + 0.1} s is sampled at {@code 2 / max(int(duration), 1)} frames per second instead
 *       (the reference's special case for very short videos).</li>
 *   <li><b>Resize</b>: the short side to {@code size}, the long side to {@code int(long * size / short)} (truncated),
 *       with FFmpeg's {@code scale} filter and its default bicubic interpolation, from the stored width and height.</li>
 *   <li><b>Centre crop</b>: {@code size × size} from x = int((width - size) / 2), y = int((height - size) / 2).</li>
 *   <li><b>Pixels</b>: RGB, 8 bits per channel ({@code -pix_fmt rgb24}); CLIP's normalisation follows
 *       ({@link trdetr.clip.ClipImageNormalization}).</li>
 * </ol>
 * The filter graph is written as ffmpeg-python writes it, so the command is the reference's.
 *
 * @param clipLength seconds per clip (2 for QVHighlights, Charades-STA's released CLIP features too)
 * @param size       the CLIP model's input side (224 for ViT-B/32 and B/16, 336 for L/14-336)
 */
public record FrameRecipe(double clipLength, int size) {
    public FrameRecipe {
        if (!(clipLength > 0) || Double.isInfinite(clipLength)) throw new IllegalArgumentException("clip length must be positive, got " + clipLength);
        if (size <= 0) throw new IllegalArgumentException("frame size must be positive, got " + size);
    }

    /** The sampling of one video: frames per second, the resized size, the crop's corner. */
    public record Plan(double fps, int scaledWidth, int scaledHeight, int cropX, int cropY, int size) {
        /** ffmpeg's arguments after {@code -i VIDEO}: the filter graph, raw RGB frames to standard output. */
        public List<String> outputArguments() {
            String graph = "[0]fps=fps=" + PythonFloats.repr(fps) + "[s0];[s0]scale=" + scaledWidth + ":" + scaledHeight
                           + "[s1];[s1]crop=" + size + ":" + size + ":" + cropX + ":" + cropY + "[s2]";
            return List.of("-filter_complex", graph, "-map", "[s2]", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:");
        }

        /** Bytes of one frame: size × size × 3. */
        public int frameBytes() { return size * size * 3; }
    }

    /** The plan for a video of this size and duration. */
    public Plan plan(VideoInfo info) {
        double framerate = 1 / clipLength;
        double fps = framerate;
        double d = info.duration();
        if (d > 0 && d < 1 / framerate + 0.1) fps = 2.0 / Math.max((long) d, 1);
        int h = info.height(), w = info.width();
        int outH, outW;
        if (h >= w) {
            outH = (int) ((double) h * size / w);
            outW = size;
        } else {
            outH = size;
            outW = (int) ((double) w * size / h);
        }
        return new Plan(fps, outW, outH, (int) ((outW - size) / 2.0), (int) ((outH - size) / 2.0), size);
    }
}
