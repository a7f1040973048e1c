package trdetr.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import trdetr.gradcheck.CudaGemmCheck;

/** The GPU GEMM modes against the CPU backend (skipped without a GPU), and the CPU-side helpers they rely on. */
class CudaGemmTest {

    @Test void everyGemmModeMatchesTheCpuOnEveryForm() {
        Assumptions.assumeTrue(CudaBackend.isAvailable(), CudaDevice.unavailableReason());
        CudaBackend backend = CudaBackend.get();
        backend.setPoison(true);   // an output element the kernel does not write is NaN and fails
        try {
            for (CudaGemmCheck.Result r : CudaGemmCheck.run(backend, 7)) assertThat(r.passed()).as(r.line()).isTrue();
        } finally {
            backend.setPoison(false);
        }
    }

    @Test void tf32CeilingIsMeasured() {
        Assumptions.assumeTrue(CudaBackend.isAvailable(), CudaDevice.unavailableReason());
        CudaBackend backend = CudaBackend.get();
        Assumptions.assumeTrue(backend.device().computeMajor() >= 8, "TF32 needs compute capability 8.0+");
        assertThat(backend.gemm().measureTf32PeakTflops()).isBetween(1.0, 10_000.0);
    }

    @Test void tf32RoundingIsToNearestTiesAwayFromZero() {
        float ulp = 0x1p-10f;   // TF32 spacing in [1, 2)
        assertThat(CudaGemmCheck.roundToTf32(1f + 0.49f * ulp)).isEqualTo(1f);
        assertThat(CudaGemmCheck.roundToTf32(1f + 0.51f * ulp)).isEqualTo(1f + ulp);
        assertThat(CudaGemmCheck.roundToTf32(1f + 0.5f * ulp)).isEqualTo(1f + ulp);     // tie: away from zero
        assertThat(CudaGemmCheck.roundToTf32(-1f - 0.5f * ulp)).isEqualTo(-1f - ulp);
        assertThat(CudaGemmCheck.roundToTf32(3f)).isEqualTo(3f);
        assertThat(CudaGemmCheck.roundToTf32(Float.NaN)).isNaN();
    }

    /** The emulation the TF32 kernel is held to is itself within the TF32 bound of the CPU product, on every case. */
    @Test void tf32EmulationAgreesWithTheCpuOnEveryCase() {
        for (CudaGemmCheck.Case c : CudaGemmCheck.CASES) {
            assertThat(CudaGemmCheck.emulationError(c, 7)).as(c.name()).isLessThan(trdetr.backend.cuda.CudaGemm.TF32_TOLERANCE);
        }
    }

    @Test void modeNamesParse() {
        assertThat(CudaGemm.Mode.parse("TF32")).isEqualTo(CudaGemm.Mode.TF32);
        assertThat(CudaGemm.Mode.parse("exact")).isEqualTo(CudaGemm.Mode.EXACT);
        assertThatThrownBy(() -> CudaGemm.Mode.parse("fast")).hasMessageContaining("exact, tf32 or cublas");
    }
}
