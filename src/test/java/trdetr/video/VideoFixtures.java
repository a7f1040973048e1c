package trdetr.video;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import trdetr.io.NdArray;
import trdetr.io.Npz;

/**
 * The committed videos of src/test/resources/video and what the reference extractor made of them
 * (tools/make_video_fixtures.py: Moment-DETR's run_on_video VideoLoader and Preprocessing, OpenAI's CLIP).
 */
public final class VideoFixtures {
    public static final Path DIR = Path.of("src", "test", "resources", "video");
    public static final Path CLIP_DIR = Path.of("src", "test", "resources", "clip");
    /** Fixture name, file, and the size the reference also sampled it at besides 32 (0: none). */
    public record Video(String name, String file, int also) {
        public Path path() { return DIR.resolve(file); }
    }
    public static final List<Video> VIDEOS = List.of(new Video("walk", "walk.mp4", 224), new Video("portrait", "portrait.webm", 224),
            new Video("bars", "bars.mkv", 0), new Video("short", "short.mp4", 0));

    private static Map<String, NdArray> reference;

    private VideoFixtures() {}

    public static synchronized Map<String, NdArray> reference() {
        if (reference == null) {
            try {
                reference = Npz.read(DIR.resolve("video_reference.npz"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return reference;
    }

    /** An array of the reference, by key. */
    public static NdArray ref(String key) {
        NdArray a = reference().get(key);
        if (a == null) throw new AssertionError("video_reference.npz has no " + key);
        return a;
    }

    /** uint8 frames of the reference as bytes (the reader gives them as longs). */
    public static byte[] frames(String key) {
        long[] v = (long[]) ref(key).data();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    /** The system's FFmpeg; skips the test, saying why, where it is not installed. */
    public static Ffmpeg ffmpeg() {
        Ffmpeg f = Ffmpeg.systemOrNull();
        assumeTrue(f != null, "FFmpeg (ffmpeg and ffprobe) is not installed: apt-get install ffmpeg to run the video tests");
        return f;
    }
}
