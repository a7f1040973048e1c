package trdetr.opcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import trdetr.autograd.Autograd;
import trdetr.tensor.Tensor;

/** The same checks as {@code trdetr gradcheck}, for every op and three seeds (so three sets of random shapes). */
class GradCheckTest {
    @TestFactory
    Stream<DynamicTest> everyOpPassesItsGradientCheck() {
        return Stream.of(1L, 2L, 3L).flatMap(seed -> OpCases.all().stream().map(c ->
                DynamicTest.dynamicTest(c.name() + " (seed " + seed + ")", () -> {
                    GradCheck.Result r = GradCheck.check(c, seed);
                    assertThat(r.passed()).as(r.line()).isTrue();
                })));
    }

    @Test
    void aWrongGradientIsCaught() {
        // exp whose backward forgets the factor exp(x): the check must fail on it.
        OpCase broken = new OpCase("broken exp",
                g -> new Tensor[] {Tensor.randn(g, trdetr.tensor.DType.FLOAT64, 3, 4).requiresGrad(true)},
                x -> Autograd.record("broken", x[0].detach().exp(), (gr, needs) -> new Tensor[] {gr}, x[0]));
        GradCheck.Result r = GradCheck.check(broken, 1);
        assertThat(r.passed()).isFalse();
        assertThat(r.failure()).contains("central differences");
    }

    @Test
    void aCaseWithZeroGradientIsRefused() {
        OpCase flat = new OpCase("flat", g -> new Tensor[] {Tensor.randn(g, trdetr.tensor.DType.FLOAT64, 2, 2).requiresGrad(true)},
                x -> x[0].mul(0.0));
        assertThat(GradCheck.check(flat, 1).failure()).contains("degenerate");
    }

    @Test
    void relativeErrorIsTheNormRatio() {
        assertThat(GradCheck.relativeError(new double[] {3, 4}, new double[] {0, 0})).isEqualTo(5.0);
        assertThat(GradCheck.relativeError(new double[] {1, 1}, new double[] {1, 2})).isEqualTo(1 / Math.sqrt(5), org.assertj.core.data.Offset.offset(1e-15));
    }
}
