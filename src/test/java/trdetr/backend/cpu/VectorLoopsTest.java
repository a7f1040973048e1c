package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import trdetr.backend.Backend;
import trdetr.backend.UnaryOp;
import trdetr.tensor.CounterRng;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * The Vector API loops against their scalar forms, bit for bit, at lengths and offsets that leave tails; and the
 * backend's dropout and fused PReLU backward against the formulas they replace.
 */
class VectorLoopsTest {
    private static float[] gaussian(long seed, int n) {
        Generator g = new Generator(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (2 * g.nextGaussian());
        x[0] = 0f;
        x[1] = -0f;
        x[2] = Float.NaN;
        return x;
    }

    private static void assertSameBits(float[] actual, float[] expected) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i])).as("element %d: %s vs %s", i, actual[i], expected[i])
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    @Test
    void vectorLoopsAreTheScalarLoops() {
        assumeTrue(VectorLoopGates.LOOPS, "the Vector API module is not in the boot layer");
        float[] x = gaussian(1, 301), g = gaussian(2, 301);
        for (int off : new int[] {0, 3, 17}) {
            int n = x.length - off - 1;
            float[] v = new float[x.length], s = new float[x.length];
            VectorLoops.leaky(x, off, v, 1, n, 0.25f);
            ScalarLoops.leaky(x, off, s, 1, n, 0.25f);
            assertSameBits(v, s);
            VectorLoops.leakyInputGradient(g, off, x, 1, v, off, n, 0.3f);
            ScalarLoops.leakyInputGradient(g, off, x, 1, s, off, n, 0.3f);
            assertSameBits(v, s);
        }
    }

    @Test
    void vectorDropoutIsTheScalarDropout() {
        assumeTrue(VectorLoopGates.DROPOUT, "no 64-bit vector lanes of the width the vector dropout needs here");
        float[] x = gaussian(6, 1003);
        long key = CounterRng.key(7);
        for (double p : new double[] {0.1, 0.5, 0.9}) {
            for (int off : new int[] {0, 5, 33}) {
                int n = x.length - off - 2;
                long counter = (1L << 40) - off;                // counters past 2^32: the 64-bit lanes must wrap as longs do
                float[] v = new float[x.length], s = new float[x.length];
                VectorLoops.dropout(x, off, v, 2, n, key, counter, CounterRng.belowThreshold(p), (float) (1 / (1 - p)));
                ScalarLoops.dropout(x, off, s, 2, n, key, counter, CounterRng.belowThreshold(p), (float) (1 / (1 - p)));
                assertSameBits(v, s);
            }
        }
    }

    /**
     * One float species in the whole program: a FloatVector call site that sees two (a 256-bit loop beside the 512-bit
     * GEMM) stops being compiled to vector instructions everywhere, and the GEMM ran 7 times slower after a dropout
     * loop on 256-bit floats. Only VectorSgemm's species() may name a fixed float species (the one it chooses).
     */
    @Test
    void noClassNamesASecondFloatSpecies() throws java.io.IOException {
        java.nio.file.Path main = java.nio.file.Path.of("src/main/java");
        assumeTrue(java.nio.file.Files.isDirectory(main), "the sources are not here (run from the repository root)");
        java.util.regex.Pattern fixed = java.util.regex.Pattern.compile("FloatVector\\.SPECIES_(64|128|256|512|MAX)");
        try (var files = java.nio.file.Files.walk(main)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(x -> x.toString().endsWith(".java"))::iterator) {
                String text = java.nio.file.Files.readString(f);
                long uses = fixed.matcher(text).results().count();
                long allowed = f.endsWith("VectorSgemm.java") ? 3 : 0;                 // the three cases of species()
                assertThat(uses).as("fixed FloatVector species named in %s", f).isLessThanOrEqualTo(allowed);
            }
        }
    }

    @Test
    void backendDropoutIsTheCounterStream() {
        int n = 70_007;                                       // over the parallel threshold, odd
        float[] x = gaussian(3, n);
        double p = 0.1;
        long seed = 9, offset = 123_456;
        float[] y = (float[]) CpuBackend.INSTANCE.download(CpuBackend.INSTANCE.dropout(Tensor.fromHost(CpuBackend.INSTANCE, x, n), p, seed, offset));
        float[] expected = new float[n];
        long key = CounterRng.key(seed), drop = CounterRng.belowThreshold(p);
        float keep = (float) (1 / (1 - p));
        for (int i = 0; i < n; i++) expected[i] = (CounterRng.keyedBits(key, offset + i) >>> 40) < drop ? 0f : x[i] * keep;
        assertSameBits(y, expected);
    }

    @Test
    void fusedPreluBackwardIsTheComposition() {
        int n = 70_007;
        float[] x = gaussian(4, n), g = gaussian(5, n);
        CpuBackend cpu = CpuBackend.INSTANCE;
        Tensor xt = Tensor.fromHost(cpu, x, n), gt = Tensor.fromHost(cpu, g, n);
        Backend.PreluGrads fused = cpu.preluBackward(gt, xt, 0.25, true);
        float[] dx = (float[]) cpu.download(gt.mul(cpu.unary(UnaryOp.LEAKY_SLOPE, xt, 0.25, 0)));
        float dslope = (float) gt.mul(cpu.unary(UnaryOp.NEG_PART, xt, 0, 0)).sum().item();
        assertSameBits((float[]) cpu.download(fused.dx()), dx);
        assertThat(Float.floatToRawIntBits((float) fused.dslope().item())).isEqualTo(Float.floatToRawIntBits(dslope));
        assertThat(cpu.preluBackward(gt, xt, 0.1, true)).as("a slope that is not a float: not fused").isNull();
    }
}
