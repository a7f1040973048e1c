package trdetr.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import trdetr.opcheck.CudaGemmCheck;

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

    /** Every TF32 kernel variant on every case (all four forms, odd sizes, each copy width, split-K, broadcast). */
    @Test void everyTf32VariantMatchesTheEmulationOnEveryCase() {
        Assumptions.assumeTrue(CudaBackend.isAvailable(), CudaDevice.unavailableReason());
        CudaBackend backend = CudaBackend.get();
        Assumptions.assumeTrue(backend.device().computeMajor() >= 8, "TF32 needs compute capability 8.0+");
        backend.setPoison(true);
        try {
            for (String v : CudaGemm.TF32_VARIANTS) {
                for (CudaGemmCheck.Case c : CudaGemmCheck.CASES) {
                    CudaGemmCheck.Result r = CudaGemmCheck.checkVariant(backend, c, v, 7);
                    assertThat(r.passed()).as(r.line()).isTrue();
                }
            }
        } finally {
            backend.setPoison(false);
        }
    }

    /** The variant choice reaches the products: a pipelined variant runs, and the choice is restored. */
    @Test void tf32VariantIsSelectable() {
        Assumptions.assumeTrue(CudaBackend.isAvailable(), CudaDevice.unavailableReason());
        CudaGemm gemm = CudaBackend.get().gemm();
        String previous = gemm.tf32Variant();
        try {
            gemm.setTf32Variant(PipelinedTf32Kernel.NAMES.get(0));
            assertThat(gemm.tf32Variant()).isEqualTo(PipelinedTf32Kernel.NAMES.get(0));
            assertThatThrownBy(() -> gemm.setTf32Variant("p1x1")).hasMessageContaining("unknown TF32 GEMM variant");
        } finally {
            gemm.setTf32Variant(previous);
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

    /** Each pipelined variant ships its PTX module with the four kernels and the configuration the host reads. */
    @Test void everyPipelinedVariantShipsItsModule() throws java.io.IOException {
        assertThat(CudaGemm.TF32_VARIANTS).startsWith(CudaGemm.LEGACY_VARIANT).containsAll(PipelinedTf32Kernel.NAMES);
        for (String v : PipelinedTf32Kernel.NAMES) {
            try (java.io.InputStream in = CudaGemmTest.class.getResourceAsStream("/kernels/gemm_tf32_" + v + ".ptx")) {
                assertThat(in).as(v).isNotNull();
                String ptx = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
                for (String form : new String[] {"nn", "nt", "tn", "tt"}) {
                    assertThat(ptx).as(v).contains(".entry gemm_tf32_" + v + "_" + form + "(");
                }
                assertThat(ptx).as(v).contains(".version 8.0");
                // The configuration the host reads back agrees with the name p{tm}x{tn}w{wm}x{wn}s{stages}.
                java.util.regex.Matcher n = java.util.regex.Pattern.compile("p(\\d+)x(\\d+)w(\\d+)x(\\d+)s(\\d+)").matcher(v);
                assertThat(n.matches()).as(v).isTrue();
                int tm = Integer.parseInt(n.group(1)), tn = Integer.parseInt(n.group(2)), wm = Integer.parseInt(n.group(3)),
                        wn = Integer.parseInt(n.group(4)), stages = Integer.parseInt(n.group(5));
                int bk = 32, stageWords = tileWords(tm, bk) + tileWords(tn, bk);
                assertThat(PipelinedTf32Kernel.Config.ofPtx(v, ptx)).as(v).isEqualTo(new PipelinedTf32Kernel.Config(tm, tn, bk,
                        32 * (tm / wm) * (tn / wn), stages * stageWords * 4, stages));
                assertThat(stages * stageWords * 4).as(v + ": fits an H100/H200 block (227 KB)").isLessThanOrEqualTo(227 * 1024);
                // Plans need no GPU: the model's split-K shape is split, into whole K steps.
                PipelinedTf32Kernel.Plan plan = new PipelinedTf32Kernel(v, null).plan(2400, 256, 2818, 1, 132);
                assertThat(plan.splits()).as(v).isGreaterThan(1);
                assertThat(plan.kPerSplit() % bk).isZero();
                assertThat((long) plan.kPerSplit() * plan.splits()).isGreaterThanOrEqualTo(2818);
            }
        }
        assertThatThrownBy(() -> new PipelinedTf32Kernel("p1x1", null)).hasMessageContaining("unknown TF32 GEMM variant");
    }

    /** Words of one stage's tile of an operand with r rows: the larger of its two padded layouts (BK + 4, r + 8). */
    private static int tileWords(int r, int bk) { return Math.max(r * (bk + 4), bk * (r + 8)); }

    /** 16-byte copies need the row length and batch stride to be multiples of 4 floats, 8-byte ones of 2. */
    @Test void copyWidthFollowsTheLeadingDimensionAndBatchStride() {
        assertThat(PipelinedTf32Kernel.copyWidth(256, 0)).isEqualTo(4);
        assertThat(PipelinedTf32Kernel.copyWidth(2818, 0)).isEqualTo(2);        // the model's K
        assertThat(PipelinedTf32Kernel.copyWidth(75, 0)).isEqualTo(1);
        assertThat(PipelinedTf32Kernel.copyWidth(32, 75 * 32)).isEqualTo(4);
        assertThat(PipelinedTf32Kernel.copyWidth(32, 2 * 75)).isEqualTo(2);
        assertThat(PipelinedTf32Kernel.copyWidth(32, 75)).isEqualTo(1);
    }

    @Test void modeNamesParse() {
        assertThat(CudaGemm.Mode.parse("TF32")).isEqualTo(CudaGemm.Mode.TF32);
        assertThat(CudaGemm.Mode.parse("exact")).isEqualTo(CudaGemm.Mode.EXACT);
        assertThatThrownBy(() -> CudaGemm.Mode.parse("fast")).hasMessageContaining("exact, tf32 or cublas");
    }
}
