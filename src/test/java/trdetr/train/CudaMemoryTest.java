package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaDevice;

/** Device memory in use is the same after training step 10 as after step 1,000, and the peak does not grow. */
class CudaMemoryTest {
    @TempDir Path tmp;

    @Test
    void theCheckModelIsAValidConfiguration() {                   // runs everywhere: a bad config fails here, not on the GPU
        assertThat(MemoryCheck.config(10, 6).hiddenDim()).isEqualTo(256);
        assertThat(new trdetr.model.TrDetr(MemoryCheck.config(10, 6), new trdetr.tensor.Generator(1), trdetr.tensor.DType.FLOAT32)
                .parameterCount()).isPositive();
    }

    @Test
    void deviceMemoryStaysFlatOverAThousandTrainingSteps() throws Exception {
        assumeTrue(CudaBackend.isAvailable(), CudaDevice.unavailableReason());
        MemoryCheck.Result r = MemoryCheck.run(CudaBackend.get(), 1000, tmp.resolve("demo"));
        System.out.println("CudaMemoryTest: " + r.summary(10));
        long[] range = r.inUseRange(10, 1000);
        assertThat(range[1]).as("max bytes in use over steps 10..1000").isEqualTo(range[0]);
        assertThat(r.inUseAfter(1000)).isEqualTo(r.inUseAfter(10));
        assertThat(r.peakAfter(1000)).as("peak bytes in use").isEqualTo(r.peakAfter(10));
        assertThat(r.isFlat(10)).isTrue();
    }
}
