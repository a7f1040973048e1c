package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;
import trdetr.backend.Backend;
import trdetr.backend.Backend.FixedFactor;
import trdetr.backend.Backend.GruStep;
import trdetr.backend.Backend.GruStepGrads;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * The CPU's fused GRU gates ({@link CpuGru}) and its packed fixed factor ({@link CpuGemm#fixedFactor}) against the
 * {@link Backend} defaults they replace, bit for bit: the gates on the recurrence's own kind of operands (a step's
 * slice of the input projection, a strided view; an odd hidden size), the factor at sizes with partial tiles and at
 * the GRU's (32 × 256 → 768, large enough to run on every thread).
 */
class CpuGruTest {
    private static final Backend CPU = CpuBackend.INSTANCE;

    /** A backend whose default methods run as the interface defines them, everything else on the CPU backend. */
    private static final Backend DEFAULTS = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
            (proxy, method, args) -> method.isDefault() ? InvocationHandler.invokeDefault(proxy, method, args) : method.invoke(CPU, args));

    private static void assertSameBits(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        float[] a = actual.toFloatArray(), e = expected.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertThat(Float.floatToRawIntBits(a[i])).as("element %d: %s vs %s", i, a[i], e[i]).isEqualTo(Float.floatToRawIntBits(e[i]));
        }
    }

    private static Tensor randn(Generator g, double scale, int... shape) { return Tensor.randn(g, DType.FLOAT32, shape).mul(scale); }

    @Test
    void gatesAreTheComposition() {
        Generator g = new Generator(21);
        int b = 5, steps = 4, hidden = 37;
        Tensor gi = randn(g, 2, b, steps, 3 * hidden).select(1, 2);          // a strided step slice, as the recurrence takes
        Tensor gh = randn(g, 2, b, 3 * hidden), h = randn(g, 1, b, hidden);
        assertThat(CpuGru.fuses(gi, gh, h)).isTrue();
        GruStep fused = CPU.gruGates(gi, gh, h), composed = DEFAULTS.gruGates(gi, gh, h);
        assertSameBits(fused.h(), composed.h());
        assertSameBits(fused.r(), composed.r());
        assertSameBits(fused.z(), composed.z());
        assertSameBits(fused.n(), composed.n());
    }

    @Test
    void gatesOnManyRowsSplitOverThreadsAreTheComposition() {
        Generator g = new Generator(22);
        int b = 96, hidden = 256;                                            // enough work for Parallel.forRange to split
        Tensor gi = randn(g, 3, b, 3 * hidden), gh = randn(g, 3, b, 3 * hidden), h = randn(g, 1, b, hidden);
        GruStep fused = CPU.gruGates(gi, gh, h), composed = DEFAULTS.gruGates(gi, gh, h);
        assertSameBits(fused.h(), composed.h());
        assertSameBits(fused.n(), composed.n());
    }

    @Test
    void gateGradientsAreTheComposition() {
        Generator g = new Generator(23);
        int b = 7, hidden = 29;
        Tensor dhCarry = randn(g, 1, b, hidden), dhHidden = randn(g, 1, b, hidden), dOut = randn(g, 1, b, 2, hidden).select(1, 1);
        Tensor h = randn(g, 1, b, hidden);
        GruStep step = CPU.gruGates(randn(g, 2, b, 3 * hidden), randn(g, 2, b, 3 * hidden), h);
        Tensor ghn = randn(g, 2, b, 3 * hidden).slice(1, 2 * hidden, 3 * hidden);
        GruStepGrads fused = CPU.gruGatesBackward(dhCarry, dhHidden, dOut, h, step.r(), step.z(), step.n(), ghn);
        GruStepGrads composed = DEFAULTS.gruGatesBackward(dhCarry, dhHidden, dOut, h, step.r(), step.z(), step.n(), ghn);
        assertSameBits(fused.dgi(), composed.dgi());
        assertSameBits(fused.dgh(), composed.dgh());
        assertSameBits(fused.dhDirect(), composed.dhDirect());
    }

    @Test
    void float64TakesTheComposition() {
        Tensor h = Tensor.zeros(CPU, DType.FLOAT64, 2, 3);
        assertThat(CpuGru.fuses(h, h, h)).isFalse();
    }

    private static void fixedFactorIsTheProduct(int m, int n, int k, boolean withBias) {
        Generator g = new Generator(31 + m + n + k);
        Tensor x = randn(g, 1, m, k), bias = withBias ? randn(g, 1, n) : null;
        Tensor wT = randn(g, 0.1, n, k), w = randn(g, 0.1, k, n);
        FixedFactor linear = CPU.fixedFactor(wT, bias, true), plain = CPU.fixedFactor(w, null, false);
        assumeTrue(CpuGemm.fixedFactor(w, null, false) != null, "the packed factor needs the Vector API GEMM");
        for (int repeat = 0; repeat < 2; repeat++) {                           // the packed operand is reused unchanged
            assertSameBits(linear.times(x), DEFAULTS.fixedFactor(wT, bias, true).times(x));
            assertSameBits(plain.times(x), DEFAULTS.fixedFactor(w, null, false).times(x));
        }
    }

    @Test void fixedFactorWithPartialTiles() { fixedFactorIsTheProduct(5, 37, 19, true); }

    @Test void fixedFactorWithoutBias() { fixedFactorIsTheProduct(9, 70, 300, false); }

    @Test void fixedFactorAtTheGrusShape() { fixedFactorIsTheProduct(32, 768, 256, true); }

    @Test
    void fixedFactorRefusesAnInputOfTheWrongWidth() {
        FixedFactor f = CPU.fixedFactor(Tensor.zeros(CPU, DType.FLOAT32, 6, 4), null, true);
        assertThatThrownBy(() -> f.times(Tensor.zeros(CPU, DType.FLOAT32, 2, 5))).hasMessageContaining("(m, 4)");
    }

    @Test
    void aBiasNeedsTheLinearForm() {
        Tensor w = Tensor.zeros(CPU, DType.FLOAT32, 4, 6);
        assertThatThrownBy(() -> DEFAULTS.fixedFactor(w, Tensor.zeros(CPU, DType.FLOAT32, 6), false)).hasMessageContaining("linear form");
    }
}
