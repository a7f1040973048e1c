package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingPlotTest {
    @Test
    void aRuntimeThatCannotDrawTextLosesThePlotNotTheRun(@TempDir Path dir) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        TrainingPlot.Writer w = new TrainingPlot.Writer((png, log) -> {
            calls.incrementAndGet();
            throw new UnsatisfiedLinkError("libfontmanager.so: libharfbuzz.so.0: cannot open shared object file");
        });
        w.update(dir.resolve("training.png"), List.of());
        w.update(dir.resolve("training.png"), List.of());
        assertThat(w.disabled()).isTrue();
        assertThat(calls).hasValue(1);
    }

    @Test
    void writesThePng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("training.png");
        new TrainingPlot.Writer().update(png, List.of(Map.of("epoch", 0, "loss_overall", 2.5), Map.of("epoch", 1, "loss_overall", 1.5)));
        assertThat(png).isNotEmptyFile();
    }
}
