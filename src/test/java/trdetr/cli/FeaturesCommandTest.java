package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.backend.cpu.CpuBackend;
import trdetr.clip.ClipModel;
import trdetr.features.ClipFeatureExtractor;
import trdetr.io.NdArray;
import trdetr.io.Npz;
import trdetr.tensor.DType;
import trdetr.video.Ffmpeg;
import trdetr.video.VideoFixtures;

/** {@code trdetr features} end to end: videos and queries in, the official layout out, which train and predict read. */
class FeaturesCommandTest {
    @TempDir Path tmp;

    private static final String[] QUERIES = {
        "{\"qid\": 1, \"query\": \"A man walks his dog along the beach at sunset.\", \"duration\": 14, \"vid\": \"walk\", \"relevant_windows\": [[0, 12]], "
            + "\"relevant_clip_ids\": [1, 2, 3], \"saliency_scores\": [[1, 2, 3], [2, 2, 2], [4, 3, 1]]}",
        "{\"qid\": 2, \"query\": \"Someone opens the fridge\", \"duration\": 6, \"vid\": \"portrait\", \"relevant_windows\": [[0, 4]], "
            + "\"relevant_clip_ids\": [0, 1], \"saliency_scores\": [[1, 2, 3], [2, 2, 2]]}",
        "{\"qid\": 3, \"query\": \"the camera pans across a crowded street market\", \"duration\": 4, \"vid\": \"bars\", \"relevant_windows\": [[2, 4]], "
            + "\"relevant_clip_ids\": [1], \"saliency_scores\": [[3, 3, 3]]}",
        "{\"qid\": 4, \"query\": \"Kids play football on a muddy field\", \"duration\": 6, \"vid\": \"short\", \"relevant_windows\": [[0, 2]], "
            + "\"relevant_clip_ids\": [0], \"saliency_scores\": [[1, 4, 2]]}"};

    private Path queries() throws Exception {
        return Files.write(tmp.resolve("train.jsonl"), List.of(QUERIES));
    }

    private Path videos() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("videos"));
        for (VideoFixtures.Video v : VideoFixtures.VIDEOS) Files.copy(v.path(), dir.resolve(v.file()));
        return dir;
    }

    private static String[] features(String... extra) {
        List<String> args = new ArrayList<>(List.of("features", "--clip", VideoFixtures.CLIP_DIR.toString(), "--device", "cpu", "--no-progress", "--batch", "5"));
        args.addAll(List.of(extra));
        return CliRun.run(args.toArray(String[]::new));
    }

    @Test
    void featuresThenTrainThenPredict() throws Exception {
        Ffmpeg ffmpeg = VideoFixtures.ffmpeg();
        Path out = tmp.resolve("features");
        String[] r = features("--videos", videos().toString(), "--queries", queries().toString(), "--out", out.toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("videos: 4 in ").contains("4 to encode (0 done before)").contains("videos: 15 frames encoded in ")
                .contains("queries: 4 in ").contains("queries: 4 encoded in ");

        // The files hold what the extractor gives, in float32, under the official names and keys.
        ClipFeatureExtractor x = new ClipFeatureExtractor(ClipModel.load(VideoFixtures.CLIP_DIR, CpuBackend.INSTANCE, DType.FLOAT32),
                null, ffmpeg, 2, 5);
        for (VideoFixtures.Video v : VideoFixtures.VIDEOS) {
            Map<String, NdArray> f = Npz.read(out.resolve("clip_features").resolve(v.name() + ".npz"));
            assertThat(f.keySet()).containsExactly("features");
            assertThat(f.get("features").dtype()).isEqualTo("float32");
            assertThat((float[]) f.get("features").data()).as(v.name()).containsExactly(x.encodeVideo(v.path(), null).toFloatArray());
        }
        Map<String, NdArray> q = Npz.read(out.resolve("clip_text_features").resolve("qid1.npz"));
        assertThat(q.keySet()).containsExactly("last_hidden_state", "pooler_output");
        int tokens = trdetr.clip.ClipTokenizer.fromHuggingFace(VideoFixtures.CLIP_DIR).tokenize("A man walks his dog along the beach at sunset.").length;
        assertThat(q.get("last_hidden_state").shape()).containsExactly(tokens, 64);   // start-of-text to end-of-text
        assertThat(q.get("pooler_output").shape()).containsExactly(32);

        // train reads them as it reads the released features, and predict from its checkpoint
        String[] train = CliRun.run("train", "--train-path", tmp.resolve("train.jsonl").toString(),
                "--v-feat-dirs", out.resolve("clip_features").toString(), "--t-feat-dir", out.resolve("clip_text_features").toString(),
                "--results-root", tmp.resolve("results").toString(), "--exp-id", "e", "--max-steps", "2", "--n-epoch", "1", "--bsz", "2",
                "--enc-layers", "1", "--dim-feedforward", "32", "--no-progress");
        assertThat(train[0]).as(train[2]).isEqualTo("0");
        assertThat(train[1]).contains("4 training and 0 validation queries");
        List<String> test = new ArrayList<>();
        for (String line : QUERIES) test.add(line.substring(0, line.indexOf(", \"relevant_windows\"")) + "}");
        Path testFile = Files.write(tmp.resolve("test.jsonl"), test);
        Path submission = tmp.resolve("submission.jsonl");
        String[] predict = CliRun.run("predict", "--checkpoint", tmp.resolve("results/e/latest.ckpt").toString(), "--eval-path", testFile.toString(),
                "--out", submission.toString());
        assertThat(predict[0]).as(predict[2]).isEqualTo("0");
        List<String> lines = Files.readAllLines(submission);
        assertThat(lines).hasSize(4);
        int[] clips = {7, 3, 2, 3};
        for (int i = 0; i < 4; i++) {
            var row = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(i));
            assertThat(row.get("pred_saliency_scores").size()).as(lines.get(i)).isEqualTo(clips[i]);
            assertThat(row.get("pred_relevant_windows").size()).isEqualTo(10);
        }
    }

    @Test
    void aStoppedRunResumesAndOverwriteRedoes() throws Exception {
        VideoFixtures.ffmpeg();
        Path videos = videos(), out = tmp.resolve("features");
        assertThat(features("--videos", videos.toString(), "--out", out.toString())[0]).isEqualTo("0");
        Path walk = out.resolve("clip_features/walk.npz");
        Files.delete(out.resolve("clip_features/bars.npz"));                      // as if stopped before bars
        Files.writeString(walk, "left alone");                                    // a done file is not read again
        String[] r = features("--videos", videos.toString(), "--out", out.toString());
        assertThat(r[1]).contains("videos: 4 in ").contains("1 to encode (3 done before)");
        assertThat(Files.readString(walk)).isEqualTo("left alone");
        assertThat(out.resolve("clip_features/bars.npz")).exists();
        r = features("--videos", videos.toString(), "--out", out.toString(), "--overwrite", "--half");
        assertThat(r[1]).contains("4 to encode (0 done before)");
        assertThat(Npz.read(walk).get("features").dtype()).isEqualTo("float16");
        try (var s = Files.list(out.resolve("clip_features"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("bars.npz", "portrait.npz", "short.npz", "walk.npz");
        }
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path out = tmp.resolve("features");
        assertOneLineError(features("--out", out.toString()), "error: give --videos DIR, --queries FILE or both");
        Path bad = Files.write(tmp.resolve("q.jsonl"), List.of("{\"qid\": 1, \"query\": \"a\"}", "{\"qid\": 2, \"text\": \"b\"}"));
        assertOneLineError(features("--queries", bad.toString(), "--out", out.toString()), "error: " + bad + ": line 2: no \"query\" string");
        Path notJson = Files.write(tmp.resolve("n.jsonl"), List.of("{\"qid\": 1,"));
        assertThat(features("--queries", notJson.toString(), "--out", out.toString())[2]).startsWith("error: " + notJson + ": line 1: not JSON (");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThat(features("--videos", empty.toString(), "--out", out.toString())[2]).startsWith("error: --videos " + empty + ": no video files (");
        assertOneLineError(CliRun.run("features", "--clip", VideoFixtures.CLIP_DIR.toString(), "--queries", queries().toString(), "--out", out.toString(),
                "--batch", "0"), "error: --batch 0: must be positive");
        assertOneLineError(CliRun.run("features", "--clip", VideoFixtures.CLIP_DIR.resolve("openai.pt").toString(), "--queries", queries().toString(),
                "--out", out.toString(), "--device", "cpu"), "error: --clip " + VideoFixtures.CLIP_DIR.resolve("openai.pt")
                + " is a file with no tokenizer: give --bpe bpe_simple_vocab_16e6.txt.gz for the queries");
        assertThat(out).doesNotExist();
    }

    @Test
    void aFileThatIsNotAVideoStopsTheRunNamingItAndKeepsWhatWasDone() throws Exception {
        VideoFixtures.ffmpeg();
        Path videos = videos(), out = tmp.resolve("features");
        Path fake = Files.writeString(videos.resolve("zz_notes.mp4"), "not a video\n");     // sorted last
        String[] r = features("--videos", videos.toString(), "--out", out.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].strip()).startsWith("error: " + fake + ": not a video FFmpeg can read (ffprobe: ").doesNotContain("\n");
        assertThat(out.resolve("clip_features/walk.npz")).exists();
        assertThat(out.resolve("clip_features/zz_notes.npz")).doesNotExist();
    }

    private static void assertOneLineError(String[] r, String message) {
        assertThat(r[0]).as(r[1] + r[2]).isEqualTo("2");
        assertThat(r[2].strip()).isEqualTo(message);
    }
}
