package trdetr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import trdetr.backend.cpu.CpuBackend;
import trdetr.tensor.Tensor;

/** The workload that `bench step` and the JMH ModelBench time: it trains, it runs forward, it leaves no trace. */
class StepWorkloadTest {
    @Test
    void trainsRunsForwardAndRestoresTheDefaultBackend() {
        var before = Tensor.defaultBackend();
        double first, second;
        try (StepWorkload w = StepWorkload.open(CpuBackend.INSTANCE, 2, 30, 8, 2818, 512, 7)) {
            assertThat(Tensor.defaultBackend()).isSameAs(CpuBackend.INSTANCE);
            first = w.trainStep();
            second = w.trainStep();
            w.forward();
        }
        assertThat(Tensor.defaultBackend()).isSameAs(before);
        assertThat(first).isFinite().isPositive();
        // The same batch twice: AdamW's first update must have changed the loss (the optimiser really ran).
        assertThat(second).isFinite().isNotEqualTo(first);
    }
}
