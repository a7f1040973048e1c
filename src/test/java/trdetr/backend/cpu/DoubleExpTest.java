package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import trdetr.tensor.Generator;

/**
 * The softmax's exponential: its distance from Math.exp (itself within 1 ulp of e^x) over its whole range, its edges,
 * and the Vector API loop against the scalar form, bit for bit.
 */
class DoubleExpTest {
    private static long ulps(double a, double b) { return Math.abs(Double.doubleToLongBits(a) - Double.doubleToLongBits(b)); }

    @Test
    void withinTwoUlpOfMathExpOverItsRange() {
        long worst = 0;
        double worstAt = 0;
        Generator g = new Generator(8);
        for (int i = 0; i < 2_000_000; i++) {
            // half uniform over the range, half in the softmax's usual [-30, 0]
            double x = i % 2 == 0 ? DoubleExp.MIN_ARG + (DoubleExp.MAX_ARG - DoubleExp.MIN_ARG) * g.nextDouble() : -30 * g.nextDouble();
            long u = ulps(DoubleExp.exp(x), Math.exp(x));
            if (u > worst) { worst = u; worstAt = x; }
        }
        assertThat(worst).as("worst at x = %s", worstAt).isLessThanOrEqualTo(2);
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
}
