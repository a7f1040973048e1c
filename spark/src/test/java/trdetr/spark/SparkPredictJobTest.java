package trdetr.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.cli.Main;
import trdetr.data.DatasetKind;
import trdetr.data.DatasetOptions;
import trdetr.data.DemoDataset;

/**
 * The Spark job in local mode against {@code trdetr predict} and {@code trdetr eval} on the demo dataset's validation
 * split (issue #18): the same submission line for line, bit for bit, the same metrics; the same output when a task
 * fails once and is retried; a bad feature file as one line, or skipped; the library top-K against a brute force over
 * {@code predict}'s own lines.
 */
class SparkPredictJobTest {
    /** Small batches, so that the 200 queries make 7 batches over 7 partitions (the last batch short). */
    private static final String BSZ = "32";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path tmp;
    static SparkSession spark;
    static DemoDataset.Layout demo;
    static Path checkpoint;
    static Path predicted;

    @BeforeAll
    static void trainASmallModelAndPredict() throws Exception {
        // local[2,2]: two task threads, and a failed task is tried once more (the retry test needs it).
        spark = SparkSession.builder().master("local[2,2]").appName("trdetr-spark-test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        Path demoDir = tmp.resolve("demo");
        Path results = tmp.resolve("results");
        String[] train = cli(() -> Main.run("train", "--demo-dir", demoDir.toString(), "--results-root", results.toString(), "--max-steps", "2",
                "--n-epoch", "1", "--bsz", "4", "--enc-layers", "1", "--dim-feedforward", "32", "--no-progress"));
        assertThat(train[0]).as(train[2]).isEqualTo("0");
        demo = new DemoDataset.Layout(demoDir);
        checkpoint = results.resolve("demo/best.ckpt");
        predicted = tmp.resolve("predict.jsonl");
        String[] predict = cli(() -> Main.run("predict", "--checkpoint", checkpoint.toString(), "--eval-bsz", BSZ, "--out", predicted.toString()));
        assertThat(predict[0]).as(predict[2]).isEqualTo("0");
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    private String[] sparkJob(String... args) {
        List<String> all = new ArrayList<>(List.of("--checkpoint", checkpoint.toString(), "--t-feat-dir", demo.textDir().toString(),
                "--v-feat-dirs", demo.videoDir().toString(), "--eval-bsz", BSZ));
        all.addAll(List.of(args));
        return cli(() -> SparkPredictMain.run(all.toArray(String[]::new)));
    }

    /** A task computes on the threads asked for, else on the cores Spark gives a task (one by default), never none. */
    @Test
    void threadsPerTaskAreTheUsersOrSparks() {
        assertThat(PartitionPredictor.threadsPerTask(3, null)).isEqualTo(3);
        assertThat(PartitionPredictor.threadsPerTask(0, null)).isEqualTo(1);
    }

    @Test
    void theSubmissionAndMetricsEqualPredictsAndEvals() throws Exception {
        Path out = tmp.resolve("spark.jsonl");
        String[] r = sparkJob("--manifest", demo.val().toString(), "--out", out.toString(), "--gt", demo.val().toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("200 predictions written");
        // Byte for byte: the same lines in the same order, every float printed the same (Python's shortest repr, so
        // equal text is equal doubles), and no final newline, as predict writes it.
        assertThat(Files.readString(out)).isEqualTo(Files.readString(predicted));
        assertThat(Files.readAllLines(out)).hasSize(200);
        assertThat(SubmissionFiles.partsFolder(out)).doesNotExist();

        Path evalMetrics = tmp.resolve("eval_metrics.json");
        String[] eval = cli(() -> Main.run("eval", "--submission", predicted.toString(), "--gt", demo.val().toString(), "--out", evalMetrics.toString()));
        assertThat(eval[0]).as(eval[2]).isEqualTo("0");
        assertThat(Files.readString(tmp.resolve("spark_metrics.json"))).isEqualTo(Files.readString(evalMetrics));
    }

    /**
     * Why the job forms predict's batches: other batches give other bits. With batches of 100 instead of 32, a query
     * shares its padding with other queries, and some of its scores change in their last bits.
     */
    @Test
    void otherBatchesGiveOtherBits() throws Exception {
        Path other = tmp.resolve("predict_bsz100.jsonl");
        String[] p = cli(() -> Main.run("predict", "--checkpoint", checkpoint.toString(), "--eval-bsz", "100", "--out", other.toString()));
        assertThat(p[0]).as(p[2]).isEqualTo("0");
        List<String> a = Files.readAllLines(predicted), b = Files.readAllLines(other);
        long differing = java.util.stream.IntStream.range(0, a.size()).filter(i -> !a.get(i).equals(b.get(i))).count();
        System.out.println("SparkPredictJobTest: " + differing + " of " + a.size() + " lines differ between batches of 32 and 100");
        assertThat(differing).isGreaterThan(0);
    }

    @Test
    void aTaskThatFailsOnceIsRetriedWithTheSameOutput() throws Exception {
        Path out = tmp.resolve("retried.jsonl");
        int before = PartitionPredictor.INJECTED_FAILURES.get();
        System.setProperty(PartitionPredictor.FAIL_FIRST_ATTEMPT, "3");
        String[] r;
        try {
            r = sparkJob("--manifest", demo.val().toString(), "--out", out.toString());
        } finally {
            System.clearProperty(PartitionPredictor.FAIL_FIRST_ATTEMPT);
        }
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(PartitionPredictor.INJECTED_FAILURES.get() - before).as("the injected failure happened").isEqualTo(1);
        assertThat(Files.readString(out)).isEqualTo(Files.readString(predicted));
    }

    @Test
    void parquetHoldsTheSameFields() throws Exception {
        Path out = tmp.resolve("spark.parquet");
        DatasetOptions data = DatasetOptions.builder(DatasetKind.QVHIGHLIGHTS, demo.val()).videoDirs(demo.videoDir()).textDir(demo.textDir()).build();
        PredictionSettings settings = new PredictionSettings("cpu", Integer.parseInt(BSZ), -1, 10, 10, false, 0);
        SparkPredictJob.Result r = new SparkPredictJob(spark, demo.val().toString(), data, checkpoint, settings)
                .writeSubmission(out, SparkPredictJob.Format.PARQUET, null);
        assertThat(r.predicted()).isEqualTo(200);
        assertThat(r.metrics()).isNull();
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertThat(rows).hasSize(200);
        List<String> lines = Files.readAllLines(predicted);
        for (Row row : rows) {
            JsonNode expected = lines.stream().map(SparkPredictJobTest::tree).filter(l -> l.get("qid").asLong() == row.getLong(row.fieldIndex("qid")))
                    .findFirst().orElseThrow();
            assertThat(row.getString(row.fieldIndex("vid"))).isEqualTo(expected.get("vid").asText());
            List<?> windows = row.getList(row.fieldIndex("pred_relevant_windows"));
            for (int i = 0; i < windows.size(); i++) {
                List<?> w = scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) windows.get(i));
                for (int j = 0; j < 3; j++) assertThat((Double) w.get(j)).isEqualTo(expected.get("pred_relevant_windows").get(i).get(j).asDouble());
            }
            List<Double> saliency = row.getList(row.fieldIndex("pred_saliency_scores"));
            for (int i = 0; i < saliency.size(); i++) assertThat(saliency.get(i)).isEqualTo(expected.get("pred_saliency_scores").get(i).asDouble());
        }
    }

    @Test
    void aBadFeatureFileFailsTheJobInOneLineOrIsSkipped() throws Exception {
        Path manifest = tmp.resolve("bad_manifest.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(demo.val()).subList(0, 10));
        lines.add("{\"qid\": 99001, \"query\": \"a broken video\", \"duration\": 40, \"vid\": \"broken_vid\"}");
        lines.add("{\"qid\": 99002, \"query\": \"a missing video\", \"duration\": 40, \"vid\": \"missing_vid\"}");
        Files.write(manifest, lines);
        Files.copy(demo.textDir().resolve("qid" + tree(lines.get(0)).get("qid").asText() + ".npz"), demo.textDir().resolve("qid99001.npz"));
        Files.copy(demo.textDir().resolve("qid" + tree(lines.get(0)).get("qid").asText() + ".npz"), demo.textDir().resolve("qid99002.npz"));
        Files.writeString(demo.videoDir().resolve("broken_vid.npz"), "not a zip file");

        Path out = tmp.resolve("bad.jsonl");
        String[] failed = sparkJob("--manifest", manifest.toString(), "--out", out.toString());
        assertThat(failed[0]).isEqualTo("2");
        assertThat(failed[2].strip()).startsWith("error: ").doesNotContain("\n").containsAnyOf("broken_vid", "missing_vid");
        assertThat(out).doesNotExist();

        String[] skipped = sparkJob("--manifest", manifest.toString(), "--out", out.toString(), "--skip-bad");
        assertThat(skipped[0]).as(skipped[2]).isEqualTo("0");
        assertThat(skipped[1]).contains("skipped 2 rows").contains("broken_vid.npz").contains("missing_vid").contains("10 predictions written");
        assertThat(Files.readAllLines(out)).hasSize(10).noneMatch(l -> l.contains("9900"));
    }

    /**
     * One query against every video of the split: the job's top 5 equal a brute force over {@code predict}'s lines
     * for the same rows (each given its own qid, with the one query's text features).
     */
    @Test
    void topKAcrossTheLibraryEqualsABruteForceOverPredictsLines() throws Exception {
        List<JsonNode> val = Files.readAllLines(demo.val()).stream().map(SparkPredictJobTest::tree).toList();
        JsonNode query = val.get(0);
        List<JsonNode> videos = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (JsonNode v : val) if (!seen.contains(v.get("vid").asText())) { seen.add(v.get("vid").asText()); videos.add(v); }
        Path textDir = Files.createDirectories(tmp.resolve("one_query_text"));
        Path library = tmp.resolve("library.jsonl"), distinct = tmp.resolve("library_distinct.jsonl");
        StringBuilder lib = new StringBuilder(), dis = new StringBuilder();
        Path queryFeatures = demo.textDir().resolve("qid" + query.get("qid").asText() + ".npz");
        Files.copy(queryFeatures, textDir.resolve("qid" + query.get("qid").asText() + ".npz"));
        for (int i = 0; i < videos.size(); i++) {
            JsonNode v = videos.get(i);
            String row = "\"query\": " + query.get("query") + ", \"duration\": " + v.get("duration") + ", \"vid\": " + v.get("vid") + "}\n";
            lib.append("{\"qid\": ").append(query.get("qid")).append(", ").append(row);
            // predict wants labels with --eval-path: the video's own row, with the one query's qid and text
            dis.append(((com.fasterxml.jackson.databind.node.ObjectNode) v.deepCopy()).put("qid", 500000 + i).put("query", query.get("query").asText()))
                    .append('\n');
            Files.copy(queryFeatures, textDir.resolve("qid" + (500000 + i) + ".npz"));
        }
        Files.writeString(library, lib);
        Files.writeString(distinct, dis);

        Path bySpark = tmp.resolve("top.jsonl");
        String[] r = cli(() -> SparkPredictMain.run("--checkpoint", checkpoint.toString(), "--t-feat-dir", textDir.toString(),
                "--v-feat-dirs", demo.videoDir().toString(), "--eval-bsz", BSZ, "--manifest", library.toString(), "--out", bySpark.toString(),
                "--top-k", "5"));
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        List<String> top = Files.readAllLines(bySpark);
        assertThat(top).hasSize(1);

        Path byPredict = tmp.resolve("distinct_predict.jsonl");
        String[] p = cli(() -> Main.run("predict", "--checkpoint", checkpoint.toString(), "--eval-path", distinct.toString(), "--t-feat-dir",
                textDir.toString(), "--v-feat-dirs", demo.videoDir().toString(), "--eval-bsz", BSZ, "--out", byPredict.toString()));
        assertThat(p[0]).as(p[2]).isEqualTo("0");
        List<double[]> all = new ArrayList<>();                        // {row, rank, start, end, score}
        List<String> vids = new ArrayList<>();
        List<String> lines = Files.readAllLines(byPredict);
        for (int row = 0; row < lines.size(); row++) {
            JsonNode w = tree(lines.get(row)).get("pred_relevant_windows");
            vids.add(tree(lines.get(row)).get("vid").asText());
            for (int k = 0; k < w.size(); k++) all.add(new double[] {row, k, w.get(k).get(0).asDouble(), w.get(k).get(1).asDouble(), w.get(k).get(2).asDouble()});
        }
        all.sort(Comparator.comparingDouble((double[] a) -> -a[4]).thenComparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]));
        JsonNode moments = tree(top.get(0)).get("moments");
        assertThat(tree(top.get(0)).get("qid").asLong()).isEqualTo(query.get("qid").asLong());
        assertThat(moments.size()).isEqualTo(5);
        for (int i = 0; i < 5; i++) {
            double[] e = all.get(i);
            JsonNode m = moments.get(i);
            assertThat(m.get("vid").asText()).isEqualTo(vids.get((int) e[0]));
            assertThat(new double[] {m.get("start").asDouble(), m.get("end").asDouble(), m.get("score").asDouble()}).containsExactly(e[2], e[3], e[4]);
        }
    }

    private static JsonNode tree(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {exit code, stdout, stderr} of a command run in this JVM. */
    /**
     * A manifest of video files (two rows on one video, a qid that is a string, a vid left out): each line is what
     * MomentRetriever, the code of {@code predict --video}, gives for its row, in manifest order; a video FFmpeg cannot
     * read stops the job in one line naming it, or with --skip-bad is reported and left out.
     */
    @Test
    void videoFilesArePredictedAsPredictVideoPredictsThem() throws Exception {
        Path videos = Path.of("..", "src", "test", "resources", "video").toAbsolutePath().normalize();
        Path clipDir = Path.of("..", "src", "test", "resources", "clip").toAbsolutePath().normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(videos) && Files.isDirectory(clipDir),
                "the main module's video and CLIP fixtures are not at ../src/test/resources");
        try {
            trdetr.video.Ffmpeg.locate(null);
        } catch (Exception e) {
            org.junit.jupiter.api.Assumptions.abort("no FFmpeg here: " + e.getMessage());
        }
        // A small random model that reads the fixture CLIP's features (32 + 2 TEF video, 64 text), 8 clips a window.
        trdetr.model.TrDetrConfig c = trdetr.model.TrDetrConfig.fromOptions(java.util.Map.of("enc_layers", 1, "dec_layers", 1,
                "dim_feedforward", 32, "num_queries", 6, "v_feat_dim", 34, "t_feat_dim", 64, "max_v_l", 8, "max_q_l", 32));
        trdetr.model.TrDetr model = new trdetr.model.TrDetr(c, new trdetr.tensor.Generator(3), trdetr.tensor.DType.FLOAT32);
        Path ckpt = tmp.resolve("clip-model.ckpt");
        trdetr.train.Checkpoint.save(ckpt, model, null, new trdetr.train.Checkpoint.Progress(0, 0, 0, java.util.Map.of()));
        String walk = videos.resolve("walk.mp4").toString(), bars = videos.resolve("bars.mkv").toString();
        String portrait = videos.resolve("portrait.webm").toString();
        List<String> rows = List.of(
                "{\"qid\": 1, \"query\": \"a person walks\", \"video\": " + JSON.writeValueAsString(walk) + "}",
                "{\"qid\": 2, \"query\": \"colour bars\", \"vid\": \"bars_video\", \"video\": " + JSON.writeValueAsString(bars) + "}",
                "{\"qid\": 3, \"query\": \"someone walking fast\", \"video\": " + JSON.writeValueAsString(walk) + "}",
                "{\"qid\": \"four\", \"query\": \"a tall picture\", \"video\": " + JSON.writeValueAsString(portrait) + "}");
        Path manifest = tmp.resolve("videos.jsonl"), out = tmp.resolve("videos_submission.jsonl");
        Files.writeString(manifest, String.join("\n", rows) + "\n");
        String[] run = cli(() -> SparkPredictMain.run("--checkpoint", ckpt.toString(), "--manifest", manifest.toString(),
                "--clip", clipDir.toString(), "--out", out.toString()));
        assertThat(run[0]).as(run[2]).isEqualTo("0");

        trdetr.inference.MomentRetriever retriever = trdetr.inference.MomentRetriever.withClip(
                trdetr.train.Checkpoint.loadModel(ckpt, null), clipDir, null, trdetr.backend.cpu.CpuBackend.INSTANCE);
        List<trdetr.inference.MomentRetriever.Result> onWalk = retriever.predict(Path.of(walk), List.of("a person walks", "someone walking fast"));
        List<String> expected = List.of(
                onWalk.get(0).toSubmissionLine(1L, "walk").toJson(),
                retriever.predict(Path.of(bars), List.of("colour bars")).get(0).toSubmissionLine(2L, "bars_video").toJson(),
                onWalk.get(1).toSubmissionLine(3L, "walk").toJson(),
                retriever.predict(Path.of(portrait), List.of("a tall picture")).get(0).toSubmissionLine("four", "portrait").toJson());
        assertThat(Files.readAllLines(out)).containsExactlyElementsOf(expected);

        // A file that is not a video: one line naming it, and nothing written; with --skip-bad, reported and left out.
        Path broken = tmp.resolve("broken.mp4");
        Files.writeString(broken, "not a video");
        List<String> withBroken = new ArrayList<>(rows);
        withBroken.add("{\"qid\": 5, \"query\": \"anything\", \"video\": " + JSON.writeValueAsString(broken.toString()) + "}");
        Files.writeString(manifest, String.join("\n", withBroken) + "\n");
        Path out2 = tmp.resolve("videos_submission2.jsonl");
        String[] failed = cli(() -> SparkPredictMain.run("--checkpoint", ckpt.toString(), "--manifest", manifest.toString(),
                "--clip", clipDir.toString(), "--out", out2.toString()));
        assertThat(failed[0]).isEqualTo("2");
        assertThat(failed[2].strip().lines().filter(l -> l.startsWith("error: ")).toList()).singleElement().asString().contains("broken.mp4");
        assertThat(out2).doesNotExist();
        String[] skipped = cli(() -> SparkPredictMain.run("--checkpoint", ckpt.toString(), "--manifest", manifest.toString(),
                "--clip", clipDir.toString(), "--out", out2.toString(), "--skip-bad"));
        assertThat(skipped[0]).as(skipped[2]).isEqualTo("0");
        assertThat(Files.readAllLines(out2)).containsExactlyElementsOf(expected);
        assertThat(skipped[1]).contains("skipped 1 row").contains("broken.mp4");
    }

    /**
     * Rows that name their feature files (moved out of the folders, under other names) give predict's lines exactly,
     * with the folders empty; a row naming a file that is not there fails in one line naming the manifest line.
     */
    @Test
    void rowsThatNameTheirFeatureFilesGivePredictsLines() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path emptyVideo = Files.createDirectories(tmp.resolve("empty_video")), emptyText = Files.createDirectories(tmp.resolve("empty_text"));
        List<String> rows = new ArrayList<>();
        java.util.Map<String, Path> videoCopies = new java.util.HashMap<>();
        int i = 0;
        for (String line : Files.readAllLines(demo.val())) {
            if (line.isBlank()) continue;
            com.fasterxml.jackson.databind.node.ObjectNode row = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
            String vid = row.get("vid").asText(), qid = row.get("qid").asText();
            // one copy per video (rows on one video must name one file: RowFeatureFiles refuses two), one per query
            Path v = videoCopies.computeIfAbsent(vid, x -> elsewhere.resolve("video_" + videoCopies.size() + ".npz"));
            Path t = elsewhere.resolve("text_" + i + ".npz");
            if (!Files.exists(v)) Files.copy(demo.videoDir().resolve(vid + ".npz"), v);
            Files.copy(demo.textDir().resolve("qid" + qid + ".npz"), t);
            if (i % 2 == 0) row.putArray("video_features").add(v.toString());       // a list of one path
            else row.put("video_features", v.toString());                          // or the path itself
            row.put("query_features", t.toString());
            rows.add(JSON.writeValueAsString(row));
            i++;
        }
        Path manifest = tmp.resolve("own_files.jsonl"), out = tmp.resolve("own_files_submission.jsonl");
        Files.writeString(manifest, String.join("\n", rows) + "\n");
        String[] r = cli(() -> SparkPredictMain.run("--checkpoint", checkpoint.toString(), "--t-feat-dir", emptyText.toString(),
                "--v-feat-dirs", emptyVideo.toString(), "--eval-bsz", BSZ, "--manifest", manifest.toString(), "--out", out.toString()));
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(Files.readAllLines(out)).containsExactlyElementsOf(Files.readAllLines(predicted));

        rows.set(3, rows.get(3).replace("text_3.npz", "text_missing.npz"));
        Files.writeString(manifest, String.join("\n", rows) + "\n");
        Path out2 = tmp.resolve("own_files_submission2.jsonl");
        String[] bad = cli(() -> SparkPredictMain.run("--checkpoint", checkpoint.toString(), "--t-feat-dir", emptyText.toString(),
                "--v-feat-dirs", emptyVideo.toString(), "--eval-bsz", BSZ, "--manifest", manifest.toString(), "--out", out2.toString()));
        assertThat(bad[0]).isEqualTo("2");
        assertThat(bad[2].strip().lines().filter(l -> l.startsWith("error: ")).toList()).singleElement().asString()
                .contains("own_files.jsonl: line 4: \"query_features\"").contains("text_missing.npz: no such file");
        assertThat(out2).doesNotExist();
    }

    private static String[] cli(java.util.function.IntSupplier command) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o));
        System.setErr(new PrintStream(e));
        try {
            return new String[] {String.valueOf(command.getAsInt()), o.toString(), e.toString()};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
