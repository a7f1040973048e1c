package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import trdetr.tensor.Generator;

/** The float32 sine and cosine's double forms: their distance from Math's over the reduced range, edges, and the vector loop's bits. */
class DoubleSinCosTest {
    private static long ulps(double a, double b) { return Math.abs(Double.doubleToLongBits(a) - Double.doubleToLongBits(b)); }

    /** A quarter each: the position encodings' [0, 2π], [−100, 100], the whole reduced range, next to multiples of π/2. */
    private static double sample(Generator g, int i) {
        switch (i % 4) {
            case 0: return 2 * Math.PI * g.nextDouble();
            case 1: return 200 * (g.nextDouble() - 0.5);
            case 2: return 2 * DoubleSinCos.LIMIT * (g.nextDouble() - 0.5);
            default: return Math.floor(2000 * (g.nextDouble() - 0.5)) * Math.PI / 2 + 1e-6 * (g.nextDouble() - 0.5);
        }
    }

    private static void withinUlpsOfMath(boolean cosine, long bound) {
        long worst = 0;
        double worstAt = 0;
        Generator g = new Generator(cosine ? 13 : 12);
        for (int i = 0; i < 1_000_000; i++) {
            double x = sample(g, i);
            double ours = cosine ? DoubleSinCos.cos(x) : DoubleSinCos.sin(x), math = cosine ? Math.cos(x) : Math.sin(x);
            // near a zero of the function an ulp of the result is tiny: measure there against the argument's scale
            long u = Math.abs(math) < 1e-3 ? (Math.abs(ours - math) <= 4 * Math.ulp(1.0) * 1e-3 ? 0 : Long.MAX_VALUE) : ulps(ours, math);
            if (u > worst) { worst = u; worstAt = x; }
        }
        assertThat(worst).as("worst at x = %s", worstAt).isLessThanOrEqualTo(bound);
    }

    @Test void sineWithinTwoUlpOfMath() { withinUlpsOfMath(false, 2); }

    @Test void cosineWithinTwoUlpOfMath() { withinUlpsOfMath(true, 2); }

    @Test
    void edges() {
        assertThat(DoubleSinCos.sin(0.0)).isEqualTo(0.0);
        assertThat(Double.doubleToRawLongBits(DoubleSinCos.sin(-0.0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(DoubleSinCos.cos(0.0)).isEqualTo(1.0);
        assertThat(DoubleSinCos.sin(1e-300)).isEqualTo(1e-300);
        assertThat(DoubleSinCos.sin(Double.NaN)).isNaN();
        assertThat(DoubleSinCos.cos(Double.POSITIVE_INFINITY)).isNaN();
        assertThat(DoubleSinCos.sin(1e300)).isEqualTo(Math.sin(1e300));                      // beyond LIMIT: Math's
        assertThat(DoubleSinCos.cos(Math.nextUp(DoubleSinCos.LIMIT))).isEqualTo(Math.cos(Math.nextUp(DoubleSinCos.LIMIT)));
    }

    @Test
    void vectorLoopIsTheScalarForm() {
        assumeTrue(VectorLoopGates.LOOPS, "the Vector API module is not in the boot layer");
        Generator g = new Generator(14);
        double[] x = new double[1031];
        for (int i = 0; i < x.length; i++) x[i] = sample(g, i);
        double[] special = {0, -0.0, Double.NaN, Math.PI, -Math.PI / 2, 3 * Math.PI / 4, DoubleSinCos.LIMIT, -DoubleSinCos.LIMIT, 1e-300};
        System.arraycopy(special, 0, x, 5, special.length);
        for (boolean cosine : new boolean[] {false, true}) {
            for (int n : new int[] {x.length, 1000, 7}) {
                double[] v = x.clone(), s = x.clone();
                VectorLoops.sinCos(cosine, v, n);
                DoubleSinCos.apply(cosine, s, n);
                for (int i = 0; i < x.length; i++) {
                    assertThat(Double.doubleToLongBits(v[i])).as("%s, element %d (x = %s)", cosine ? "cos" : "sin", i, x[i])
                            .isEqualTo(Double.doubleToLongBits(s[i]));
                }
            }
        }
    }

    @Test
    void float32ElementsBeyondTheLimitTakeMathsReduction() {
        float[] x = {1.5f, 3e6f, -7e5f, 0.25f}, y = new float[4];
        FloatTranscendentals.apply(FloatTranscendentals.Fn.SIN, x, 0, 1, y, 0, 1, 4);
        for (int i = 0; i < 4; i++) assertThat(y[i]).isEqualTo((float) DoubleSinCos.sin(x[i]));
        assertThat(y[1]).isEqualTo((float) Math.sin(3e6f));
    }
}
