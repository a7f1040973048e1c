package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.backend.cpu.CpuBackend;

/**
 * The live Java heap after training step 60 is within {@link MemoryCheck#HEAP_SLACK_BYTES} of the one after step 10
 * (the full 1,000-step run is `memory-check --device cpu`, about 4 minutes on 2 cores: too long for the suite).
 */
class CpuMemoryTest {
    @TempDir Path tmp;

    @Test
    void theLiveHeapStaysFlatOverTrainingSteps() throws Exception {
        MemoryCheck.Result r = MemoryCheck.run(CpuBackend.INSTANCE, 60, tmp.resolve("demo"));
        System.out.println("CpuMemoryTest: " + r.summary(10));
        long[] range = r.inUseRange(10, 60);
        assertThat(range[1] - range[0]).as("live heap growth over steps 10..60, bytes").isLessThanOrEqualTo(MemoryCheck.HEAP_SLACK_BYTES);
        assertThat(r.isFlat(10)).isTrue();
    }
}
