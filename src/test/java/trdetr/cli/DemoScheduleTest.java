package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.train.MemorySpread;
import trdetr.inference.MomentValidation;
import trdetr.train.MetricsLog;

/**
 * The demo's schedule keeps the encoder alive. At the demo's previous schedule (lr 1e-3, 40 warm-up steps) the
 * encoder's memory collapsed to one vector for every clip within the first epoch, and moment retrieval never left its
 * chance level (see {@link MemorySpread}); the current schedule must not do that. One full-size demo epoch (150 steps
 * of 8) each way, so this takes about two minutes on two cores: it guards the main job's promise, which the shrunken
 * models of the other tests cannot.
 */
class DemoScheduleTest {
    @TempDir Path tmp;

    /** One demo epoch with extra options; returns its metrics and what it printed. */
    private Map.Entry<Map<String, Object>, String> firstEpoch(String name, String... extra) throws Exception {
        String[] base = {"train", "--demo-dir", tmp.resolve("demo").toString(), "--results-root", tmp.resolve("results").toString(),
                "--exp-id", name, "--n-epoch", "1", "--no-progress"};
        String[] r = CliRun.run(Stream.concat(Arrays.stream(base), Arrays.stream(extra)).toArray(String[]::new));
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        Map<String, Object> metrics = new MetricsLog(tmp.resolve("results").resolve(name).resolve("metrics.jsonl")).read().get(0);
        return Map.entry(metrics, r[1]);
    }

    private static double spread(Map<String, Object> metrics) {
        return ((Number) metrics.get(MomentValidation.MEMORY_SPREAD)).doubleValue();
    }

    @Test
    void theDemoScheduleKeepsTheMemoryApartWhereTheOldOneCollapsedIt() throws Exception {
        var demo = firstEpoch("demo");
        assertThat(spread(demo.getKey())).as("memory spread after one epoch of the demo schedule").isGreaterThan(0.05);
        assertThat(demo.getValue()).doesNotContain("warning:");

        var old = firstEpoch("old", "--lr", "1e-3", "--warmup-steps", "40");
        assertThat(spread(old.getKey())).as("memory spread after one epoch at lr 1e-3").isLessThan(MemorySpread.COLLAPSED);
        assertThat(old.getValue()).contains("warning: after epoch 1 every clip reaches the decoder with the same features");
    }
}
