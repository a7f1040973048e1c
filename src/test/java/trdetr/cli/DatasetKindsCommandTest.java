package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train → predict → eval on Charades-STA and TVSum through the command line, on tiny synthetic data in the official
 * layouts: each dataset's metrics reach the metrics log, the best checkpoint is chosen by a metric the dataset has,
 * and the submission carries the fields its metric scores.
 */
class DatasetKindsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    /** A tiny model for 2 steps, validated at the end of its one epoch. */
    private String[] train(SyntheticDatasets.Layout data, String... datasetArgs) {
        List<String> args = new ArrayList<>(List.of("train", "--train-path", data.train().toString(), "--eval-path", data.val().toString(),
                "--v-feat-dirs", data.videoDir().toString(), "--t-feat-dir", data.textDir().toString(),
                "--results-root", tmp.resolve("results").toString(), "--exp-id", "run", "--max-steps", "2", "--n-epoch", "1", "--bsz", "2",
                "--enc-layers", "1", "--dec-layers", "1", "--dim-feedforward", "32", "--num-queries", "4", "--no-progress", "--threads", "1"));
        args.addAll(List.of(datasetArgs));
        return CliRun.run(args.toArray(String[]::new));
    }

    private Path run() { return tmp.resolve("results").resolve("run"); }

    private static JsonNode lastMetrics(Path run) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        return JSON.readTree(lines.get(lines.size() - 1));
    }

    private static List<JsonNode> jsonl(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) out.add(JSON.readTree(l));
        return out;
    }

    @Test
    void charadesTrainsOnMomentRetrievalAloneAndPredictsWindowsOnly() throws Exception {
        SyntheticDatasets.Layout data = SyntheticDatasets.charades(tmp.resolve("charades"));
        String[] t = train(data, "--dset-name", "charades", "--clip-length", "1");
        assertThat(t[0]).as(t[2]).isEqualTo("0");
        assertThat(t[1]).contains("done: 1 epochs, best MR-full-mAP");

        JsonNode m = lastMetrics(run());
        assertThat(m.has("MR-full-mAP")).isTrue();
        assertThat(m.has("MR-full-R1@0.5")).isTrue();
        assertThat(m.has("MR-full-R1@0.7")).isTrue();
        assertThat(m.has("loss_span")).isTrue();
        // Lighthouse's single range and no highlight part: the annotations have no saliency scores.
        assertThat(m.has("MR-short-mAP")).isFalse();
        assertThat(m.has("HL-min-VeryGood-mAP")).isFalse();
        assertThat(run().resolve("best.ckpt")).exists();

        String[] p = CliRun.run("predict", "--checkpoint", run().resolve("best.ckpt").toString(), "--threads", "1");
        assertThat(p[0]).as(p[2]).isEqualTo("0");
        Path submission = run().resolve("charades_val_submission.jsonl");
        List<JsonNode> lines = jsonl(submission);
        assertThat(lines).hasSize(2);
        for (JsonNode l : lines) {
            assertThat(l.get("qid").isInt()).isTrue();
            assertThat(l.has("pred_saliency_scores")).isFalse();
            for (JsonNode w : l.get("pred_relevant_windows")) {
                double st = w.get(0).asDouble();
                assertThat(st).isEqualTo(Math.rint(st)); // snapped to the 1-s clips of --clip-length, not the official 2 s
            }
        }
        // The training validation saw the same predictions; eval scores the file as predict did.
        assertThat(Files.readString(submission)).isEqualTo(Files.readString(run().resolve("latest_val_preds.jsonl")));
        String[] e = CliRun.run("eval", "--dset-name", "charades", "--submission", submission.toString(), "--gt", data.val().toString(), "--json");
        assertThat(e[0]).as(e[2]).isEqualTo("0");
        assertThat(e[1].strip()).isEqualTo(Files.readString(run().resolve("charades_val_submission_metrics.json")));
        assertThat(JSON.readTree(e[1]).get("brief").get("MR-full-mAP").asDouble()).isEqualTo(m.get("MR-full-mAP").asDouble());
    }

    @Test
    void tvsumTrainsOnSaliencyOfOneDomainAndIsScoredByTopFiveMap() throws Exception {
        SyntheticDatasets.Layout data = SyntheticDatasets.tvsum(tmp.resolve("tvsum"));
        String[] t = train(data, "--dset-name", "tvsum", "--dset-domain", "BK", "--max-v-l", "1000");
        assertThat(t[0]).as(t[2]).isEqualTo("0");
        assertThat(t[1]).contains("3 training and 1 validation queries").contains("done: 1 epochs, best mAP");

        JsonNode m = lastMetrics(run());
        assertThat(m.has("mAP")).isTrue();
        assertThat(m.get("mAP").asDouble()).isBetween(0.0, 1.0);
        assertThat(m.has("MR-full-mAP")).isFalse();
        // use_matcher is off: the saliency loss (and CTC/VTC) only, no span or label terms towards the dummy span.
        assertThat(m.has("loss_saliency")).isTrue();
        assertThat(m.has("loss_span")).isFalse();
        assertThat(m.has("loss_label_0")).isFalse();
        assertThat(run().resolve("best.ckpt")).exists();

        String[] p = CliRun.run("predict", "--checkpoint", run().resolve("best.ckpt").toString(), "--threads", "1");
        assertThat(p[0]).as(p[2]).isEqualTo("0");
        assertThat(p[1]).containsPattern("(?m)^mAP +0\\.\\d+$");
        Path submission = run().resolve("tvsum_val_submission.jsonl");
        List<JsonNode> lines = jsonl(submission);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("qid").asText()).isEqualTo("yt4_Xq");
        assertThat(lines.get(0).has("pred_relevant_windows")).isFalse();
        assertThat(lines.get(0).get("pred_saliency_scores")).hasSize(16);
        JsonNode predicted = JSON.readTree(Files.readString(run().resolve("tvsum_val_submission_metrics.json")));
        assertThat(predicted.get("brief").get("mAP").asDouble()).isEqualTo(m.get("mAP").asDouble());

        // eval on the whole val file: the domain keeps its one video, as the official per-domain evaluation does.
        String[] e = CliRun.run("eval", "--dset-name", "tvsum", "--dset-domain", "BK", "--submission", submission.toString(),
                "--gt", data.val().toString(), "--json");
        assertThat(e[0]).as(e[2]).isEqualTo("0");
        assertThat(JSON.readTree(e[1])).isEqualTo(predicted);
    }

    @Test
    void badDatasetChoicesAreOneLineErrors() throws Exception {
        SyntheticDatasets.Layout tv = SyntheticDatasets.tvsum(tmp.resolve("tvsum"));
        assertOneLineError(train(tv, "--dset-name", "tvsum"), "--dset-domain is required with --dset-name tvsum");
        assertOneLineError(train(tv, "--dset-name", "tvsum", "--dset-domain", "XX"), "unknown TVSum domain 'XX'");
        assertOneLineError(train(tv, "--dset-name", "youcook"), "unknown dataset name 'youcook'");
        assertOneLineError(train(tv, "--dset-domain", "BK"), "--dset-domain applies to --dset-name tvsum only");
        // TVSum rows read as QVHighlights: the file and the missing field are named.
        assertOneLineError(train(tv), "tvsum_train.jsonl");
        assertOneLineError(CliRun.run("train", "--dset-name", "charades", "--no-progress"), "needs --train-path");
        assertOneLineError(CliRun.run("eval", "--dset-name", "tvsum", "--submission", tv.val().toString(), "--gt", tv.val().toString()),
                "--dset-domain is required");
    }

    private static void assertOneLineError(String[] r, String contains) {
        assertThat(r[0]).as(r[1] + r[2]).isEqualTo("2");
        assertThat(r[2].strip()).startsWith("error: ").contains(contains).doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void aBadValidationWindowStopsTrainingBeforeTheFirstEpoch() throws Exception {
        SyntheticDatasets.Layout data = SyntheticDatasets.charades(tmp.resolve("charades"));
        String val = Files.readString(data.val());
        assertThat(val).contains("[[6.3, 15.9]]"); // qid 5, the second line of the val split
        Files.writeString(data.val(), val.replace("[[6.3, 15.9]]", "[[15.9, 6.3]]"));
        String[] t = train(data, "--dset-name", "charades", "--clip-length", "1");
        assertThat(t[0]).isEqualTo("2");
        assertThat(t[2].strip()).isEqualTo("error: " + data.val() + ": line 2: qid 5: window [15.9, 6.3] has start > end");
        assertThat(t[1]).doesNotContain("model:");
        assertThat(run()).doesNotExist(); // no epoch, not even a results directory
    }

    @Test
    void anEmptyTrainingSplitNamesTheFile() throws Exception {
        SyntheticDatasets.Layout data = SyntheticDatasets.charades(tmp.resolve("charades"));
        Files.writeString(data.train(), "");
        String[] t = train(data, "--dset-name", "charades", "--clip-length", "1");
        assertThat(t[0]).isEqualTo("2");
        assertThat(t[2].strip()).isEqualTo("error: " + data.train() + ": has no annotation rows (empty file)");
    }
}
