package trdetr.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The TF32 default follows the GPU's shared-memory limit (read from the PTX; no GPU needed). */
class DefaultTf32VariantTest {
    @Test
    void hopperGetsTheFastVariantAdaTheSmallerOneAndTinyLimitsTheLegacyKernel() {
        assertThat(CudaGemm.defaultTf32Variant(227 * 1024)).isEqualTo("p128x128w64x64s3");   // sm_90
        assertThat(CudaGemm.defaultTf32Variant(99 * 1024)).isEqualTo("p64x64w32x32s4");      // sm_86/89
        assertThat(CudaGemm.defaultTf32Variant(48 * 1024)).isEqualTo(CudaGemm.LEGACY_VARIANT);
    }
}
