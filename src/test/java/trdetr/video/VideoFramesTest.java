package trdetr.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.io.FormatException;

/** Our frame sampling against the reference extractor's (tools/make_video_fixtures.py), and its errors. */
class VideoFramesTest {
    @TempDir Path tmp;

    /** The ffmpeg command: the reference's own, as ffmpeg-python built it, for sizes and durations of each branch. */
    @Test
    void thePlanIsTheReferenceCommand() throws Exception {
        JsonNode commands = new ObjectMapper().readTree(VideoFixtures.ref("commands").utf8());
        // ffprobe's answers for the committed files (the webm states no frame count, so its duration is unknown)
        VideoInfo[] infos = {new VideoInfo(160, 90, 13.0), new VideoInfo(90, 160, -1), new VideoInfo(100, 75, 5.0), new VideoInfo(64, 48, 1.5)};
        int checked = 0;
        for (int i = 0; i < infos.length; i++) {
            VideoFixtures.Video v = VideoFixtures.VIDEOS.get(i);
            for (int size : v.also() > 0 ? new int[] {32, v.also()} : new int[] {32}) {
                JsonNode recorded = commands.get(v.name() + "_" + size).get(0);
                List<String> expected = new ArrayList<>();
                recorded.forEach(a -> expected.add(a.asText()));
                List<String> ours = new ArrayList<>(List.of("ffmpeg", "-i", v.file()));
                ours.addAll(new FrameRecipe(2, size).plan(infos[i]).outputArguments());
                assertThat(ours).as(v.name() + " at " + size).isEqualTo(expected);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(6);
    }

    @Test
    void probedAsTheReferenceReadsTheStream() throws Exception {
        Ffmpeg f = VideoFixtures.ffmpeg();
        assertThat(VideoInfo.probe(f, VideoFixtures.DIR.resolve("walk.mp4"))).isEqualTo(new VideoInfo(160, 90, 13.0));
        assertThat(VideoInfo.probe(f, VideoFixtures.DIR.resolve("portrait.webm"))).isEqualTo(new VideoInfo(90, 160, -1));
        assertThat(VideoInfo.probe(f, VideoFixtures.DIR.resolve("short.mp4"))).isEqualTo(new VideoInfo(64, 48, 1.5));
    }

    /** mp4/H.264 with audio, webm/VP9, mkv/MPEG-4, a 1.5 s video: the reference's frames, at 32 and 224 pixels. */
    @Test
    void framesAreTheReferenceFrames() throws Exception {
        Ffmpeg f = VideoFixtures.ffmpeg();
        int compared = 0;
        for (VideoFixtures.Video v : VideoFixtures.VIDEOS) {
            for (int size : v.also() > 0 ? new int[] {32, v.also()} : new int[] {32}) {
                byte[] expected = VideoFixtures.frames("frames" + size + "_" + v.name());
                byte[] ours = VideoFrames.readAll(f, v.path(), new FrameRecipe(2, size));
                assertThat(ours.length).as(v.name() + " at " + size + ": frames").isEqualTo(expected.length);
                // Same FFmpeg build: the same bytes. Another build's scaler may round a value differently: 1/255 allowed.
                int worst = 0;
                for (int i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs((ours[i] & 0xff) - (expected[i] & 0xff)));
                assertThat(worst).as(v.name() + " at " + size + ": largest difference in 8-bit levels").isLessThanOrEqualTo(1);
                compared++;
            }
        }
        assertThat(compared).isEqualTo(6);
    }

    /**
     * Names FFmpeg would otherwise read as an option or a protocol are passed as plain files: relative names in the
     * working directory (made here and removed), exactly as a user types them.
     */
    @Test
    void oddFileNamesAreFiles() throws Exception {
        Ffmpeg f = VideoFixtures.ffmpeg();
        byte[] expected = VideoFixtures.frames("frames32_short");
        for (String name : new String[] {"-i.trdetr-test.mp4", "concat:trdetr-test.mp4", "with space é.trdetr-test.mp4"}) {
            Path relative = Path.of(name);
            java.nio.file.Files.copy(VideoFixtures.DIR.resolve("short.mp4"), relative);
            try {
                assertThat(VideoFrames.readAll(f, relative, new FrameRecipe(2, 32))).as(name).containsExactly(expected);
            } finally {
                java.nio.file.Files.deleteIfExists(relative);
            }
        }
    }

    @Test
    void framesComeInBatchesOfTheAskedSize() throws Exception {
        Ffmpeg f = VideoFixtures.ffmpeg();
        try (VideoFrames frames = VideoFrames.open(f, VideoFixtures.DIR.resolve("walk.mp4"), new FrameRecipe(2, 32))) {
            byte[] batch = new byte[3 * frames.plan().frameBytes()];
            List<Integer> sizes = new ArrayList<>();
            for (int n; (n = frames.read(batch, 3)) > 0; ) sizes.add(n);
            assertThat(sizes).containsExactly(3, 3, 1);
            assertThat(frames.read(batch, 3)).isZero();
        }
    }

    @Test
    void badVideosAreOneLineErrorsNamingTheFile() throws IOException {
        Ffmpeg f = VideoFixtures.ffmpeg();
        Path text = Files.writeString(tmp.resolve("notes.mp4"), "not a video\n");
        assertThatThrownBy(() -> VideoFrames.readAll(f, text, new FrameRecipe(2, 32))).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(text + ": not a video FFmpeg can read (ffprobe: ").hasMessageNotContaining("\n");
        Path missing = tmp.resolve("missing.mp4");
        assertThatThrownBy(() -> VideoFrames.readAll(f, missing, new FrameRecipe(2, 32))).hasMessage(missing + ": no such video file");
        // a file cut in half: ffprobe still reads its header; what ffmpeg then decodes or refuses is named
        byte[] whole = Files.readAllBytes(VideoFixtures.DIR.resolve("bars.mkv"));
        Path cut = Files.write(tmp.resolve("cut.mkv"), java.util.Arrays.copyOf(whole, 600));
        assertThatThrownBy(() -> VideoFrames.readAll(f, cut, new FrameRecipe(2, 32))).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(cut + ": ").hasMessageNotContaining("\n");
    }

    @Test
    void aMissingFfmpegIsNamed() throws IOException {
        Path nowhere = tmp.resolve("no-ffmpeg-here");
        assertThatThrownBy(() -> Ffmpeg.locate(nowhere)).isInstanceOf(IOException.class)
                .hasMessage("--ffmpeg " + nowhere + ": no such file or folder (give the ffmpeg program or the folder holding ffmpeg and ffprobe)");
        // a folder without the programs: how to install them
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> Ffmpeg.locate(empty)).isInstanceOf(IOException.class)
                .hasMessage("ffmpeg not found (looked in --ffmpeg " + empty + "): install FFmpeg (apt-get install ffmpeg, brew install ffmpeg, ...)"
                            + " or give its directory with --ffmpeg or " + Ffmpeg.ENV);
    }
}
