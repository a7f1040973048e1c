package trdetr.video;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import trdetr.io.FormatException;

/**
 * A video's sampled frames as they are decoded: {@link FrameRecipe}'s ffmpeg command, its raw RGB output read a batch
 * at a time, so a long video never sits in memory whole. Frames are {@code size × size × 3} bytes, row-major, RGB.
 *
 * <pre>{@code
 * try (VideoFrames frames = VideoFrames.open(ffmpeg, video, new FrameRecipe(2, 224))) {
 *     byte[] batch = new byte[64 * frames.plan().frameBytes()];
 *     for (int n; (n = frames.read(batch, 64)) > 0; ) { ... n frames ... }
 * }
 * }</pre>
 */
public final class VideoFrames implements AutoCloseable {
    private final Path video;
    private final FrameRecipe.Plan plan;
    private final Ffmpeg.Running running;
    private final InputStream in;
    private int frames;
    private boolean ended;

    private VideoFrames(Path video, FrameRecipe.Plan plan, Ffmpeg.Running running) {
        this.video = video;
        this.plan = plan;
        this.running = running;
        this.in = running.stdout();
    }

    /** Probes the video and starts decoding it; one-line errors naming the file. */
    public static VideoFrames open(Ffmpeg ffmpeg, Path video, FrameRecipe recipe) throws IOException {
        FrameRecipe.Plan plan = recipe.plan(VideoInfo.probe(ffmpeg, video));
        List<String> args = new ArrayList<>(List.of("-nostdin", "-v", "error", "-i", Ffmpeg.fileArgument(video)));
        args.addAll(plan.outputArguments());
        return new VideoFrames(video, plan, ffmpeg.start(args));
    }

    /** Reads all of a video's sampled frames at once (for short videos and tests). */
    public static byte[] readAll(Ffmpeg ffmpeg, Path video, FrameRecipe recipe) throws IOException {
        try (VideoFrames f = open(ffmpeg, video, recipe)) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            byte[] batch = new byte[16 * f.plan.frameBytes()];
            for (int n; (n = f.read(batch, 16)) > 0; ) all.write(batch, 0, n * f.plan.frameBytes());
            return all.toByteArray();
        }
    }

    public FrameRecipe.Plan plan() { return plan; }

    /** Frames read so far. */
    public int framesRead() { return frames; }

    /**
     * Reads up to {@code max} frames into {@code into} (frame i at {@code i * frameBytes}); returns how many, 0 at the
     * end. At the end, checks that ffmpeg succeeded and gave whole frames and at least one; one-line errors otherwise.
     */
    public int read(byte[] into, int max) throws IOException {
        if (ended) return 0;
        int fb = plan.frameBytes();
        if (into.length < (long) max * fb) throw new IllegalArgumentException("buffer holds " + into.length / fb + " frames, not " + max);
        int got = in.readNBytes(into, 0, max * fb);
        int whole = got / fb;
        frames += whole;
        if (got < max * fb) {
            ended = true;
            Ffmpeg.Result r = running.finish();
            if (r.exitCode() != 0) throw new FormatException(video, "ffmpeg could not decode it (" + r.lastErrorLine() + ")");
            if (got % fb != 0) throw new FormatException(video, "ffmpeg's output ended inside a frame (" + got % fb + " bytes of " + fb + ")");
            if (frames == 0) throw new FormatException(video, "no frames decoded");
        }
        return whole;
    }

    /**
     * One frame of the video at {@code seconds} as a PNG {@code width} pixels wide (height in proportion), for pictures
     * of the results: {@code ffmpeg -ss SECONDS -i VIDEO -frames:v 1 -vf scale=WIDTH:-2 -f image2pipe -c:v png pipe:}.
     */
    public static byte[] stillPng(Ffmpeg ffmpeg, Path video, double seconds, int width) throws IOException {
        List<String> args = List.of("-nostdin", "-v", "error", "-ss", trdetr.pyexact.PythonFloats.repr(Math.max(0, seconds)), "-i", Ffmpeg.fileArgument(video),
                "-frames:v", "1", "-vf", "scale=" + width + ":-2", "-f", "image2pipe", "-c:v", "png", "pipe:");
        Ffmpeg.Result done = ffmpeg.runToEnd(args);
        if (done.exitCode() != 0 || done.stdout().length == 0) {
            throw new FormatException(video, "no frame at " + seconds + " s (" + done.lastErrorLine() + ")");
        }
        return done.stdout();
    }

    @Override public void close() {
        running.close();
    }
}
