package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.inference.MomentRetrieverTest;
import trdetr.video.VideoFixtures;

/** {@code trdetr predict --video FILE --query TEXT ...}: moments printed, written and drawn; its one-line errors. */
class PredictVideoCommandTest {
    @TempDir Path tmp;

    @Test
    void momentsOfTwoQueriesInAVideoFile() throws Exception {
        VideoFixtures.ffmpeg();
        Path ckpt = MomentRetrieverTest.smallCheckpoint(tmp.resolve("small.ckpt"), 8);
        Path out = tmp.resolve("walk.jsonl"), pics = tmp.resolve("pics");
        String[] r = CliRun.run("predict", "--checkpoint", ckpt.toString(), "--video", VideoFixtures.DIR.resolve("walk.mp4").toString(),
                "--query", "a man walks his dog", "--query", "kids play football", "--clip", VideoFixtures.CLIP_DIR.toString(),
                "--device", "cpu", "--out", out.toString(), "--html-dir", pics.toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("walk.mp4: 7 clips of 2 s encoded").contains("query 1: a man walks his dog").contains("query 2: kids play football")
                .contains("rank   start s     end s   score").contains("2 predictions written to " + out).contains("2 pictures written to " + pics);
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("query").asText()).isEqualTo("a man walks his dog");
        assertThat(first.get("vid").asText()).isEqualTo("walk");
        assertThat(first.get("pred_saliency_scores").size()).isEqualTo(7);
        assertThat(first.get("pred_relevant_windows").size()).isBetween(1, 10);
        assertThat(pics.resolve("walk_query1.html")).exists();
        String html = Files.readString(pics.resolve("walk_query1.html"));
        assertThat(html).contains("key frames").contains("data:image/png;base64,iVBORw0KGgo");   // PNG's signature
        assertThat(pics.resolve("walk_query2.html")).exists();
    }

    @Test
    void badUseIsOneLine() throws Exception {
        Path ckpt = MomentRetrieverTest.smallCheckpoint(tmp.resolve("small.ckpt"), 8);
        String video = VideoFixtures.DIR.resolve("walk.mp4").toString(), clip = VideoFixtures.CLIP_DIR.toString();
        assertError(CliRun.run("predict", "--checkpoint", ckpt.toString(), "--video", video, "--clip", clip), "error: --video needs at least one --query TEXT");
        assertError(CliRun.run("predict", "--checkpoint", ckpt.toString(), "--query", "x", "--clip", clip), "error: --query and --clip go with --video FILE");
        assertError(CliRun.run("predict", "--checkpoint", ckpt.toString(), "--video", video, "--query", "x"),
                "error: --video needs --clip DIR, the CLIP folder the model's features were made with");
        assertError(CliRun.run("predict", "--checkpoint", ckpt.toString(), "--video", tmp.resolve("none.mp4").toString(), "--query", "x", "--clip", clip),
                "error: --video " + tmp.resolve("none.mp4") + ": no such file");
        Path wide = trdetr.train.BadCheckpoints.valid(tmp.resolve("wide.ckpt"));   // a model of 4-column features
        String[] r = CliRun.run("predict", "--checkpoint", wide.toString(), "--video", video, "--query", "x", "--clip", clip, "--device", "cpu");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].strip()).startsWith("error: the checkpoint's model reads 4 video columns").endsWith("(--v-feat-dirs .../clip_features)");
    }

    private static void assertError(String[] r, String message) {
        assertThat(r[0]).as(r[1] + r[2]).isEqualTo("2");
        assertThat(r[2].strip()).isEqualTo(message);
    }
}
