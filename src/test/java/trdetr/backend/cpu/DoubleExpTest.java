package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import trdetr.tensor.Generator;

/**
 * The softmax's exponential: its distance from Math.exp (itself within 1 ulp of e^x) over its whole range, its edges,
 * and the Vector API loop against the scalar form, bit for bit.
 */
class DoubleExpTest {
    private static long ulps(double a, double b) { return Math.abs(Double.doubleToLongBits(a) - Double.doubleToLongBits(b)); }

    /** Argument i of a sweep, drawn from g. */
    interface Argument { double draw(Generator g, int i); }

    /** Asserts that ours is within {@code bound} ulps of reference at {@code count} arguments, naming the worst. */
    private static void assertWorstUlps(long seed, int count, Argument args, DoubleUnaryOperator ours, DoubleUnaryOperator reference, long bound) {
        long worst = 0;
        double worstAt = 0;
        Generator g = new Generator(seed);
        for (int i = 0; i < count; i++) {
            double x = args.draw(g, i);
            long u = ulps(ours.applyAsDouble(x), reference.applyAsDouble(x));
            if (u > worst) { worst = u; worstAt = x; }
        }
        assertThat(worst).as("worst at x = %s", worstAt).isLessThanOrEqualTo(bound);
    }

    @Test
    void withinTwoUlpOfMathExpOverItsRange() {
        // half uniform over the range, half in the softmax's usual [-30, 0]
        assertWorstUlps(8, 2_000_000, (g, i) -> i % 2 == 0 ? DoubleExp.MIN_ARG + (DoubleExp.MAX_ARG - DoubleExp.MIN_ARG) * g.nextDouble() : -30 * g.nextDouble(),
                DoubleExp::exp, Math::exp, 2);
    }

    @Test
    void edges() {
        assertThat(DoubleExp.exp(0.0)).isEqualTo(1.0);
        assertThat(DoubleExp.exp(-0.0)).isEqualTo(1.0);
        assertThat(DoubleExp.exp(1.0)).isEqualTo(Math.E);
        assertThat(DoubleExp.exp(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
        assertThat(DoubleExp.exp(-708.4)).isEqualTo(0.0);
        assertThat(DoubleExp.exp(-708.3)).isGreaterThan(0.0);
        assertThat(DoubleExp.exp(709.4)).isLessThan(Double.POSITIVE_INFINITY);
        assertThat(DoubleExp.exp(709.5)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(DoubleExp.exp(Double.NaN)).isNaN();
    }

    @Test
    void vectorLoopIsTheScalarLoop() {
        assumeTrue(VectorLoopGates.LOOPS, "the Vector API module is not in the boot layer");
        Generator g = new Generator(3);
        double[] x = new double[1031];
        for (int i = 0; i < x.length; i++) x[i] = 40 * g.nextGaussian();
        double[] special = {0, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -708.3, -708.4, 709.4, 709.5,
                            -1e-300, 1e-300, Double.MIN_VALUE, -Double.MAX_VALUE, -87.5f, -103.9f};
        System.arraycopy(special, 0, x, 5, special.length);
        for (int n : new int[] {x.length, 1000, 7}) {
            double[] v = x.clone(), s = x.clone();
            VectorLoops.exp(v, n);
            DoubleExp.exp(s, n);
            for (int i = 0; i < x.length; i++) {
                assertThat(Double.doubleToRawLongBits(v[i])).as("element %d (x = %s)", i, x[i]).isEqualTo(Double.doubleToRawLongBits(s[i]));
            }
        }
    }

    private static double sample(Generator g, int i) {
        // a third each: the gates' usual range, small arguments (tanh's polynomial branch and its edge), wide ones
        switch (i % 3) {
            case 0: return 6 * g.nextGaussian();
            case 1: return (g.nextDouble() - 0.5) * 0.5 * Math.pow(10, -8 * g.nextDouble());
            default: return (g.nextDouble() - 0.5) * 80;
        }
    }

    @Test
    void sigmoidWithinTwoUlpOfTheMathExpFormula() {
        assertWorstUlps(9, 1_000_000, DoubleExpTest::sample, DoubleExp::sigmoid, trdetr.backend.UnaryOp::sigmoid, 2);
    }

    @Test
    void tanhWithinFourUlpOfMathTanh() {
        assertWorstUlps(10, 1_000_000, DoubleExpTest::sample, DoubleExp::tanh, Math::tanh, 4);
    }

    @Test
    void expm1WithinTwoUlpOfMathExpm1() {
        assertWorstUlps(11, 1_000_000, (g, i) -> i % 2 == 0 ? 50 * g.nextDouble() : Math.pow(10, -12 * g.nextDouble()), DoubleExp::expm1, Math::expm1, 2);
    }

    @Test
    void sigmoidAndTanhEdges() {
        assertThat(DoubleExp.sigmoid(0.0)).isEqualTo(0.5);
        assertThat(DoubleExp.sigmoid(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
        assertThat(DoubleExp.sigmoid(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
        assertThat(DoubleExp.sigmoid(-800)).isEqualTo(0.0);
        assertThat(DoubleExp.sigmoid(Double.NaN)).isNaN();
        assertThat(Double.doubleToRawLongBits(DoubleExp.tanh(-0.0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(DoubleExp.tanh(0.0)).isEqualTo(0.0);
        assertThat(DoubleExp.tanh(1e-300)).isEqualTo(1e-300);
        assertThat(DoubleExp.tanh(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
        assertThat(DoubleExp.tanh(-400)).isEqualTo(-1.0);
        assertThat(DoubleExp.tanh(Double.NaN)).isNaN();
        assertThat(DoubleExp.tanh(DoubleExp.TANH_ONE)).isEqualTo(1.0).isEqualTo(Math.tanh(DoubleExp.TANH_ONE));
        assertThat(DoubleExp.expm1(0.0)).isEqualTo(0.0);
        assertThat(DoubleExp.expm1(1e-300)).isEqualTo(1e-300);
    }

    @Test
    void vectorSigmoidAndTanhAreTheScalarForms() {
        assumeTrue(VectorLoopGates.LOOPS, "the Vector API module is not in the boot layer");
        Generator g = new Generator(4);
        double[] x = new double[1031];
        for (int i = 0; i < x.length; i++) x[i] = sample(g, i);
        double[] special = {0, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0.17, -0.2,
                            0.3466, DoubleExp.TANH_ONE, Math.nextUp(DoubleExp.TANH_ONE), -DoubleExp.TANH_ONE, 1e-300, -1e-300, 400, -400, 800, -800};
        System.arraycopy(special, 0, x, 5, special.length);
        for (int n : new int[] {x.length, 1000, 7}) {
            double[] vs = x.clone(), ss = x.clone(), vt = x.clone(), st = x.clone();
            VectorLoops.sigmoid(vs, n);
            VectorLoops.tanh(vt, n);
            for (int i = 0; i < n; i++) { ss[i] = DoubleExp.sigmoid(ss[i]); st[i] = DoubleExp.tanh(st[i]); }
            for (int i = 0; i < x.length; i++) {
                assertThat(Double.doubleToRawLongBits(vs[i])).as("sigmoid, element %d (x = %s)", i, x[i]).isEqualTo(Double.doubleToRawLongBits(ss[i]));
                assertThat(Double.doubleToRawLongBits(vt[i])).as("tanh, element %d (x = %s)", i, x[i]).isEqualTo(Double.doubleToRawLongBits(st[i]));
            }
        }
    }
}
