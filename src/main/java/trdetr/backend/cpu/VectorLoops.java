package trdetr.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API forms of the float32 element-wise loops that C2 leaves scalar: the select by sign of PReLU's forward and
 * of its input gradient (about 10× the scalar loop on 75×32×1024 activations). Each lane does exactly the scalar
 * loop's float operations, so results are bit-identical to {@link ScalarLoops}; tails run the scalar form.
 *
 * <p>Not here: the dropout mask. A LongVector port of its counter hash (two 64-bit multiplies per element) measured
 * 7.5 ms per 2.4 M elements against 6.3 ms for the scalar loop, so the scalar loop stays.
 *
 * <p>Loaded only behind {@link #AVAILABLE} (the incubator module in the boot layer), like {@link VectorSgemm}, so the
 * backend runs on a JVM started without {@code --add-modules jdk.incubator.vector}. {@code -Dtrdetr.elementwise=strided}
 * turns these off too (the scalar loops then run), for comparison.
 */
final class VectorLoops {
    private VectorLoops() {}

    static final boolean AVAILABLE = Sgemm.VECTOR && UnitStrideBinary.ENABLED;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** y = x if x &gt; 0 else slope·x (PReLU's forward, UnaryOp.LEAKY). */
    static void leaky(float[] x, int xo, float[] y, int yo, int n, float slope) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yo + i);
        }
        ScalarLoops.leaky(x, xo + i, y, yo + i, n - i, slope);
    }

    /** dx = g if x &gt; 0 else g·slope (PReLU's input gradient: g times UnaryOp.LEAKY_SLOPE). */
    static void leakyInputGradient(float[] g, int go, float[] x, int xo, float[] dx, int dxo, int n, float slope) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector gv = FloatVector.fromArray(F, g, go + i);
            VectorMask<Float> positive = FloatVector.fromArray(F, x, xo + i).compare(VectorOperators.GT, 0f);
            gv.mul(slope).blend(gv, positive).intoArray(dx, dxo + i);
        }
        ScalarLoops.leakyInputGradient(g, go + i, x, xo + i, dx, dxo + i, n - i, slope);
    }
}
