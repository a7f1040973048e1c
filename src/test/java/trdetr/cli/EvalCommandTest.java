package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {
    private static final Path FIXTURES = Path.of("..", "shared", "fixtures", "official");

    /** Runs {@code Main.run("eval", ...)} and returns {exit code, stdout, stderr}. */
    private static String[] eval(String... args) {
        assumeTrue(new CommandLine(new Main()).getSubcommands().containsKey("eval"), "EvalCommand is not registered in Main yet");
        String[] all = new String[args.length + 1];
        all[0] = "eval";
        System.arraycopy(args, 0, all, 1, args.length);
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o));
        System.setErr(new PrintStream(e));
        try {
            int code = Main.run(all);
            return new String[] {String.valueOf(code), o.toString(), e.toString()};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static Path fixture(String relative) {
        assumeTrue(Files.isDirectory(FIXTURES), "../shared/fixtures/official is absent");
        return FIXTURES.resolve(relative);
    }

    @Test
    void scoresTheOfficialSampleAndWritesTheOfficialFile(@TempDir Path dir) throws Exception {
        Path preds = fixture("standalone_eval/sample_val_preds.jsonl"), gt = fixture("data/highlight_val_release.jsonl");
        Path out = dir.resolve("sub/metrics.json");
        String[] r = eval("--submission", preds.toString(), "--gt", gt.toString(), "--out", out.toString());
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).containsPattern("(?m)^MR-full-R1@0\\.5 +53\\.94$").containsPattern("(?m)^MR-full-mAP +32\\.20$")
                .containsPattern("(?m)^HL-min-VeryGood-Hit1 +55\\.55$");
        assertThat(Files.readString(out)).isEqualTo(Files.readString(fixture("standalone_eval/sample_val_preds_metrics_raw.json")));

        String[] json = eval("--submission", preds.toString(), "--gt", gt.toString(), "--json");
        assertThat(json[1].strip()).isEqualTo(Files.readString(out));
    }

    @Test
    void badInputIsOneLineWithFileAndLine(@TempDir Path dir) throws Exception {
        Path gt = fixture("data/highlight_val_release.jsonl");
        var lines = Files.readAllLines(fixture("standalone_eval/sample_val_preds.jsonl"));
        lines.set(6, lines.get(6).substring(0, 30));
        Path bad = dir.resolve("bad.jsonl");
        Files.write(bad, lines);
        String[] r = eval("--submission", bad.toString(), "--gt", gt.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].strip()).startsWith("error: " + bad + ": line 7: not valid JSON").doesNotContain("\n").doesNotContain("Exception");

        Path few = dir.resolve("few.jsonl");
        Files.write(few, lines.subList(0, 5));
        String[] m = eval("--submission", few.toString(), "--gt", gt.toString());
        assertThat(m[0]).isEqualTo("2");
        assertThat(m[2].strip()).startsWith("error: the qids of the submission and the ground truth must match: 1545 ground-truth qid(s) have no prediction (first: qid")
                .contains(gt + " line 6").doesNotContain("\n");

        String[] missing = eval("--submission", dir.resolve("nope.jsonl").toString(), "--gt", gt.toString());
        assertThat(missing[2].strip()).isEqualTo("error: " + dir.resolve("nope.jsonl") + ": no such file");
    }

    @Test
    void aRepeatedQidInTheSubmissionIsRefusedNamingTheFileAndTheQid(@TempDir Path dir) throws Exception {
        // One query per length range (short, middle, long), which the official evaluator needs.
        String[] windows = {"[20, 24]", "[20, 40]", "[20, 80]"};
        StringBuilder gt = new StringBuilder(), sub = new StringBuilder();
        for (int q = 0; q < 3; q++) {
            gt.append("{\"qid\": ").append(q).append(", \"query\": \"q\", \"duration\": 150, \"vid\": \"v\", \"relevant_clip_ids\": [10, 11], ")
                    .append("\"saliency_scores\": [[4, 4, 4], [0, 0, 0]], \"relevant_windows\": [").append(windows[q]).append("]}\n");
            sub.append(prediction(q, windows[q], 10)).append("\n");
        }
        Path truth = Files.writeString(dir.resolve("gt.jsonl"), gt);
        Path predictions = Files.writeString(dir.resolve("sub.jsonl"), sub);
        String[] ok = eval("--submission", predictions.toString(), "--gt", truth.toString());
        assertThat(ok[0]).as(ok[2]).isEqualTo("0");
        assertThat(ok[1]).containsPattern("(?m)^HL-min-VeryGood-Hit1 +100\\.00$");
        // The official evaluator would score this one too, with a lower Hit1: qid 2's last line wins.
        Files.writeString(predictions, sub + prediction(2, windows[2], 40) + "\n");
        String[] r = eval("--submission", predictions.toString(), "--gt", truth.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].strip()).isEqualTo("error: " + predictions + ": line 4: qid 2 is repeated (first at line 3)");
    }

    /** A submission line whose top window is {@code window} and whose saliency peaks at clip {@code best}. */
    private static String prediction(int qid, String window, int best) {
        String[] saliency = new String[75];
        for (int i = 0; i < saliency.length; i++) saliency[i] = i == best ? "1.0" : "0.0";
        return "{\"qid\": " + qid + ", \"pred_relevant_windows\": [" + window.replace("]", ", 0.9]") + "], \"pred_saliency_scores\": ["
                + String.join(", ", saliency) + "]}";
    }

    /** A ground truth with no window in a length range cannot be scored there; the error names the file. */
    @Test
    void aLengthRangeWithoutGroundTruthNamesTheFile(@TempDir Path dir) throws Exception {
        String scores = java.util.stream.IntStream.range(0, 75).mapToObj(i -> "0.5").collect(java.util.stream.Collectors.joining(", "));
        Path gt = Files.writeString(dir.resolve("gt.jsonl"), "{\"qid\": 1, \"query\": \"q\", \"duration\": 150, \"vid\": \"v\", "
                + "\"relevant_windows\": [[0, 4]], \"relevant_clip_ids\": [0, 1], \"saliency_scores\": [[1, 2, 3], [2, 2, 2]]}\n");
        Path sub = Files.writeString(dir.resolve("sub.jsonl"), "{\"qid\": 1, \"query\": \"q\", \"vid\": \"v\", "
                + "\"pred_relevant_windows\": [[0, 4, 0.9]], \"pred_saliency_scores\": [" + scores + "]}");
        String[] r = eval("--submission", sub.toString(), "--gt", gt.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].strip()).startsWith("error: " + gt + ": no query has a ground-truth window in the \"middle\" length range")
                .doesNotContain("\n");
    }
}
