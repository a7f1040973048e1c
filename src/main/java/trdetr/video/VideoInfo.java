package trdetr.video;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import trdetr.io.FormatException;

/**
 * What ffprobe says of a video's first video stream, read as the reference extractor reads it: width and height as
 * stored (rotation metadata and pixel aspect ratio are not applied, as there), and the stream's duration only when the
 * stream also states its frame count ({@code nb_frames}); otherwise the duration is unknown (-1), as in the reference,
 * which is the case for most WebM and Matroska files.
 *
 * @param width    coded width of the first video stream, pixels
 * @param height   coded height
 * @param duration the stream's duration in seconds, or -1 when the stream does not state it and its frame count
 */
public record VideoInfo(int width, int height, double duration) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs {@code ffprobe -show_format -show_streams -of json VIDEO}; a one-line error naming the file when it fails. */
    public static VideoInfo probe(Ffmpeg ffmpeg, Path video) throws IOException {
        if (!Files.isRegularFile(video)) throw new FormatException(video, "no such video file");
        Ffmpeg.Result r = ffmpeg.probe(List.of("-show_format", "-show_streams", "-of", "json", Ffmpeg.fileArgument(video)));
        if (r.exitCode() != 0) throw new FormatException(video, "not a video FFmpeg can read (ffprobe: " + r.lastErrorLine() + ")");
        JsonNode root;
        try {
            root = JSON.readTree(r.stdout());
        } catch (JsonProcessingException e) {
            throw new FormatException(video, "ffprobe printed no JSON (" + FormatException.jsonReason(e) + ")");
        }
        for (JsonNode s : root.path("streams")) {
            if (!"video".equals(s.path("codec_type").asText())) continue;
            int w = s.path("width").asInt(0), h = s.path("height").asInt(0);
            if (w <= 0 || h <= 0) throw new FormatException(video, "its video stream has no size (width " + w + ", height " + h + ")");
            return new VideoInfo(w, h, duration(s));
        }
        throw new FormatException(video, "has no video stream");
    }

    /** float(stream["duration"]) when int(stream["nb_frames"]) also parses, else -1: the reference's try block. */
    private static double duration(JsonNode stream) {
        try {
            Integer.parseInt(stream.path("nb_frames").asText("").strip());
            return Double.parseDouble(stream.path("duration").asText("").strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
