package trdetr.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import trdetr.tensor.CounterRng;

/**
 * Vector API forms of the float32 element-wise loops that C2 leaves scalar: the select by sign of PReLU's forward and
 * of its input gradient (about 10× the scalar loop on 75×32×1024 activations). Each lane does exactly the scalar
 * loop's float operations, so results are bit-identical to {@link ScalarLoops}; tails run the scalar form.
 *
 * <p>The dropout mask: {@link CounterRng}'s hash of eight counters at a time in 64-bit lanes, on AVX-512 only (its DQ
 * part multiplies 64-bit lanes in one instruction; AVX2 has no such multiply, and an earlier port measured 7.5 ms
 * per 2.4 M elements against 6.3 ms for the scalar loop).
 *
 * <p>Loaded only behind {@link VectorLoopGates} (the incubator module in the boot layer), like {@link VectorSgemm}, so the
 * backend runs on a JVM started without {@code --add-modules jdk.incubator.vector}. {@code -Dtrdetr.elementwise=strided}
 * turns these off too (the scalar loops then run), for comparison.
 */
final class VectorLoops {
    private VectorLoops() {}

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

    /** Double lanes of the width of {@link #F} (the same register size; no second float species). */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    // The transcendental loops below write everything out: no helper takes or returns a DoubleVector, and no polynomial
    // is a loop over its coefficients. Both patterns left C2 code running the Vector API's Java fallback, at about a
    // tenth of the speed: a helper compiled on its own sees an abstract DoubleVector (JFR: the GRU's sigmoid allocating
    // 140 MB a second in exp(DoubleVector) and powerOfTwo), and a Horner loop carries its vector in a loop variable
    // (perf: 12% of AttentionBench.forward in DoubleVector lambdas, after a compile of the softmax row inlined exp).
    // So the exponential's core stands in exp, sigmoid and tanh alike, each coefficient a vector made once.

    /** {@link DoubleExp#exp(double[], int)}, lane for lane: the same double operations in the same order, FMAs as FMAs. */
    static void exp(double[] v, int n) {
        DoubleVector log2e = DoubleVector.broadcast(D, DoubleExp.LOG2E), magic = DoubleVector.broadcast(D, DoubleExp.MAGIC);
        DoubleVector minusLn2Hi = DoubleVector.broadcast(D, -DoubleExp.LN2_HI), minusLn2Lo = DoubleVector.broadcast(D, -DoubleExp.LN2_LO);
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        double[] c = DoubleExp.C;
        DoubleVector c13 = DoubleVector.broadcast(D, c[13]), c12 = DoubleVector.broadcast(D, c[12]), c11 = DoubleVector.broadcast(D, c[11]);
        DoubleVector c10 = DoubleVector.broadcast(D, c[10]), c9 = DoubleVector.broadcast(D, c[9]), c8 = DoubleVector.broadcast(D, c[8]);
        DoubleVector c7 = DoubleVector.broadcast(D, c[7]), c6 = DoubleVector.broadcast(D, c[6]), c5 = DoubleVector.broadcast(D, c[5]);
        DoubleVector c4 = DoubleVector.broadcast(D, c[4]), c3 = DoubleVector.broadcast(D, c[3]), c2 = DoubleVector.broadcast(D, c[2]);
        int i = 0;
        for (int bound = D.loopBound(n); i < bound; i += D.length()) {
            DoubleVector x = DoubleVector.fromArray(D, v, i);
            DoubleVector t = x.fma(log2e, magic);
            DoubleVector k = t.sub(magic);
            DoubleVector r = k.fma(minusLn2Lo, k.fma(minusLn2Hi, x));
            DoubleVector p = c13.fma(r, c12).fma(r, c11).fma(r, c10).fma(r, c9).fma(r, c8).fma(r, c7).fma(r, c6).fma(r, c5)
                    .fma(r, c4).fma(r, c3).fma(r, c2);
            p = p.fma(r, one).fma(r, one);
            DoubleVector scale = t.reinterpretAsLongs().sub(DoubleExp.SCALE_BIAS).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector e = p.mul(scale);
            e = e.blend(0.0, x.compare(VectorOperators.LT, DoubleExp.MIN_ARG));
            e.blend(Double.POSITIVE_INFINITY, x.compare(VectorOperators.GT, DoubleExp.MAX_ARG)).intoArray(v, i);
        }
        for (; i < n; i++) v[i] = DoubleExp.exp(v[i]);
    }

    /** v[j] = {@link DoubleExp#sigmoid}(v[j]) for j &lt; n, lane for lane: e = e^−|x| as {@link #exp}, then e/(1+e) or 1/(1+e). */
    static void sigmoid(double[] v, int n) {
        DoubleVector log2e = DoubleVector.broadcast(D, DoubleExp.LOG2E), magic = DoubleVector.broadcast(D, DoubleExp.MAGIC);
        DoubleVector minusLn2Hi = DoubleVector.broadcast(D, -DoubleExp.LN2_HI), minusLn2Lo = DoubleVector.broadcast(D, -DoubleExp.LN2_LO);
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        double[] c = DoubleExp.C;
        DoubleVector c13 = DoubleVector.broadcast(D, c[13]), c12 = DoubleVector.broadcast(D, c[12]), c11 = DoubleVector.broadcast(D, c[11]);
        DoubleVector c10 = DoubleVector.broadcast(D, c[10]), c9 = DoubleVector.broadcast(D, c[9]), c8 = DoubleVector.broadcast(D, c[8]);
        DoubleVector c7 = DoubleVector.broadcast(D, c[7]), c6 = DoubleVector.broadcast(D, c[6]), c5 = DoubleVector.broadcast(D, c[5]);
        DoubleVector c4 = DoubleVector.broadcast(D, c[4]), c3 = DoubleVector.broadcast(D, c[3]), c2 = DoubleVector.broadcast(D, c[2]);
        int i = 0;
        for (int bound = D.loopBound(n); i < bound; i += D.length()) {
            DoubleVector x = DoubleVector.fromArray(D, v, i);
            DoubleVector a = x.abs().neg();
            DoubleVector t = a.fma(log2e, magic);
            DoubleVector k = t.sub(magic);
            DoubleVector r = k.fma(minusLn2Lo, k.fma(minusLn2Hi, a));
            DoubleVector p = c13.fma(r, c12).fma(r, c11).fma(r, c10).fma(r, c9).fma(r, c8).fma(r, c7).fma(r, c6).fma(r, c5)
                    .fma(r, c4).fma(r, c3).fma(r, c2);
            p = p.fma(r, one).fma(r, one);
            DoubleVector scale = t.reinterpretAsLongs().sub(DoubleExp.SCALE_BIAS).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            // −|x| ≤ 0 (or NaN): exp's overflow blend never fires
            DoubleVector e = p.mul(scale).blend(0.0, a.compare(VectorOperators.LT, DoubleExp.MIN_ARG));
            DoubleVector d = e.add(one);
            e.div(d).blend(one.div(d), x.compare(VectorOperators.GE, 0.0)).intoArray(v, i);
        }
        for (; i < n; i++) v[i] = DoubleExp.sigmoid(v[i]);
    }

    /**
     * v[j] = {@link DoubleExp#tanh}(v[j]) for j &lt; n, lane for lane: m = e^{2|x|} − 1 as {@link DoubleExp#expm1},
     * m/(m + 2) (1 beyond {@link DoubleExp#TANH_ONE}), the sign of x copied on.
     */
    static void tanh(double[] v, int n) {
        DoubleVector log2e = DoubleVector.broadcast(D, DoubleExp.LOG2E), magic = DoubleVector.broadcast(D, DoubleExp.MAGIC);
        DoubleVector minusLn2Hi = DoubleVector.broadcast(D, -DoubleExp.LN2_HI), minusLn2Lo = DoubleVector.broadcast(D, -DoubleExp.LN2_LO);
        DoubleVector one = DoubleVector.broadcast(D, 1.0), two = DoubleVector.broadcast(D, 2.0);
        double[] c = DoubleExp.C;
        DoubleVector c13 = DoubleVector.broadcast(D, c[13]), c12 = DoubleVector.broadcast(D, c[12]), c11 = DoubleVector.broadcast(D, c[11]);
        DoubleVector c10 = DoubleVector.broadcast(D, c[10]), c9 = DoubleVector.broadcast(D, c[9]), c8 = DoubleVector.broadcast(D, c[8]);
        DoubleVector c7 = DoubleVector.broadcast(D, c[7]), c6 = DoubleVector.broadcast(D, c[6]), c5 = DoubleVector.broadcast(D, c[5]);
        DoubleVector c4 = DoubleVector.broadcast(D, c[4]), c3 = DoubleVector.broadcast(D, c[3]), c2 = DoubleVector.broadcast(D, c[2]);
        int i = 0;
        for (int bound = D.loopBound(n); i < bound; i += D.length()) {
            DoubleVector x = DoubleVector.fromArray(D, v, i);
            DoubleVector a = x.abs(), a2 = a.add(a);
            DoubleVector t = a2.fma(log2e, magic);
            DoubleVector k = t.sub(magic);
            DoubleVector r = k.fma(minusLn2Lo, k.fma(minusLn2Hi, a2));
            DoubleVector p = c13.fma(r, c12).fma(r, c11).fma(r, c10).fma(r, c9).fma(r, c8).fma(r, c7).fma(r, c6).fma(r, c5)
                    .fma(r, c4).fma(r, c3).fma(r, c2);
            p = p.fma(r, one);
            DoubleVector scale = t.reinterpretAsLongs().sub(DoubleExp.SCALE_BIAS).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector m = scale.fma(p.mul(r), scale.sub(one));
            DoubleVector th = m.div(m.add(two)).blend(one, a.compare(VectorOperators.GT, DoubleExp.TANH_ONE));
            th.reinterpretAsLongs().or(x.reinterpretAsLongs().and(Long.MIN_VALUE)).reinterpretAsDoubles().intoArray(v, i);
        }
        for (; i < n; i++) v[i] = DoubleExp.tanh(v[i]);
    }

    /**
     * v[j] = {@link DoubleSinCos#sin}(v[j]) (or cos) for j &lt; n, lane for lane, for |v[j]| ≤ {@link DoubleSinCos#LIMIT}
     * or NaN (the caller checks): both polynomials, then each lane's quadrant picks one and its sign.
     */
    static void sinCos(boolean cosine, double[] v, int n) {
        DoubleVector magic = DoubleVector.broadcast(D, DoubleExp.MAGIC), one = DoubleVector.broadcast(D, 1.0);
        double[] sc = DoubleSinCos.S, cc = DoubleSinCos.C;
        DoubleVector s9 = DoubleVector.broadcast(D, sc[9]), s8 = DoubleVector.broadcast(D, sc[8]), s7 = DoubleVector.broadcast(D, sc[7]);
        DoubleVector s6 = DoubleVector.broadcast(D, sc[6]), s5 = DoubleVector.broadcast(D, sc[5]), s4 = DoubleVector.broadcast(D, sc[4]);
        DoubleVector s3 = DoubleVector.broadcast(D, sc[3]), s2 = DoubleVector.broadcast(D, sc[2]), s1 = DoubleVector.broadcast(D, sc[1]);
        DoubleVector k10 = DoubleVector.broadcast(D, cc[10]), k9 = DoubleVector.broadcast(D, cc[9]), k8 = DoubleVector.broadcast(D, cc[8]);
        DoubleVector k7 = DoubleVector.broadcast(D, cc[7]), k6 = DoubleVector.broadcast(D, cc[6]), k5 = DoubleVector.broadcast(D, cc[5]);
        DoubleVector k4 = DoubleVector.broadcast(D, cc[4]), k3 = DoubleVector.broadcast(D, cc[3]), k2 = DoubleVector.broadcast(D, cc[2]);
        DoubleVector k1 = DoubleVector.broadcast(D, cc[1]);
        int i = 0;
        for (int bound = D.loopBound(n); i < bound; i += D.length()) {
            DoubleVector x = DoubleVector.fromArray(D, v, i);
            DoubleVector t = x.fma(DoubleVector.broadcast(D, DoubleSinCos.TWO_OVER_PI), magic);
            DoubleVector k = t.sub(magic);
            DoubleVector r = k.fma(DoubleVector.broadcast(D, -DoubleSinCos.P1), x);
            r = k.fma(DoubleVector.broadcast(D, -DoubleSinCos.P2), r);
            r = k.fma(DoubleVector.broadcast(D, -DoubleSinCos.P3), r);
            DoubleVector r2 = r.mul(r);
            DoubleVector s = s9.fma(r2, s8).fma(r2, s7).fma(r2, s6).fma(r2, s5).fma(r2, s4).fma(r2, s3).fma(r2, s2).fma(r2, s1);
            s = s.mul(r2).fma(r, r);
            DoubleVector c = k10.fma(r2, k9).fma(r2, k8).fma(r2, k7).fma(r2, k6).fma(r2, k5).fma(r2, k4).fma(r2, k3).fma(r2, k2)
                    .fma(r2, k1);
            c = c.fma(r2, one);
            LongVector q = t.reinterpretAsLongs().add(cosine ? 1L : 0L);
            // odd quadrants take the cosine polynomial: bit 0 of q moved into the exponent field is a positive double
            DoubleVector odd = q.lanewise(VectorOperators.AND, 1L).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector picked = s.blend(c, odd.compare(VectorOperators.GT, 0.0));
            // quadrants 2 and 3 negate: bit 1 of q moved onto the sign bit
            LongVector sign = q.lanewise(VectorOperators.AND, 2L).lanewise(VectorOperators.LSHL, 62);
            DoubleVector y = picked.reinterpretAsLongs().lanewise(VectorOperators.XOR, sign).reinterpretAsDoubles();
            if (!cosine) y = y.blend(x, x.compare(VectorOperators.EQ, 0.0));                 // ±0 gives itself
            y.intoArray(v, i);
        }
        for (; i < n; i++) v[i] = cosine ? DoubleSinCos.cos(v[i]) : DoubleSinCos.sin(v[i]);
    }

    // The dropout loop hashes counters in 512-bit long lanes (8 at a time) and applies them to 16 floats of the
    // preferred 512-bit float species. Only that float species may appear here: a FloatVector call site that sees
    // two species (say 256-bit lanes here and 512-bit ones in VectorSgemm) is no longer compiled to vector
    // instructions anywhere, and the GEMM then ran about 7 times slower.
    private static final VectorSpecies<Long> L = LongVector.SPECIES_512;
    /** Lane i of {@link #COUNTER_STEPS}: i·GOLDEN, the offset of lane i's hashed counter from lane 0's. */
    private static final LongVector COUNTER_STEPS = LongVector.broadcast(L, 0L).addIndex(1).mul(CounterRng.GOLDEN);

    /** Whether this machine multiplies 64-bit lanes of 512-bit vectors natively (AVX-512DQ), as the dropout loop needs. */
    static boolean dropoutSupported() { return F.length() == 2 * L.length() && LongVector.SPECIES_PREFERRED.length() >= 8; }

    /**
     * {@link ScalarLoops#dropout}, lane for lane: element i is kept when CounterRng.keyedBits(key, counter + i) &gt;&gt;&gt; 40
     * is at least drop, and then scaled by keep (one float multiply, as the scalar loop); a dropped element is +0f.
     * Each half of 8 keep decisions (0 or -1 per long lane) is converted to floats into its half of a float vector,
     * and the lanes below zero select the scaled element. Why not lane masks directly: VectorMask's toLong/fromLong and
     * long-to-float mask casts are not intrinsics on JDK 17, where such a loop ran at half the scalar loop's speed.
     */
    static void dropout(float[] a, int ao, float[] y, int yo, int n, long key, long counter, long drop, float keep) {
        long z = counter * CounterRng.GOLDEN + CounterRng.INCREMENT;
        long zStep = L.length() * CounterRng.GOLDEN;
        FloatVector zero = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector lo = keptLanes(z, key, drop, 0);
            z += zStep;
            FloatVector hi = keptLanes(z, key, drop, -1);
            z += zStep;
            VectorMask<Float> kept = lo.add(hi).compare(VectorOperators.LT, 0f);
            zero.blend(FloatVector.fromArray(F, a, ao + i).mul(keep), kept).intoArray(y, yo + i);
        }
        ScalarLoops.dropout(a, ao + i, y, yo + i, n - i, key, counter + i, drop, keep);
    }

    /** -1 in the lanes of part {@code part} (0: lanes 0..7, -1: lanes 8..15) whose counter from z is kept, 0 elsewhere. */
    private static FloatVector keptLanes(long z, long key, long drop, int part) {
        LongVector h = COUNTER_STEPS.add(z).lanewise(VectorOperators.XOR, key);
        // CounterRng.mix, lane by lane
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, CounterRng.MIX_SHIFT_1)).mul(CounterRng.MIX_MULTIPLIER_1);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, CounterRng.MIX_SHIFT_2)).mul(CounterRng.MIX_MULTIPLIER_2);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, CounterRng.MIX_SHIFT_3));
        LongVector kept = h.lanewise(VectorOperators.LSHR, 40).sub(drop).lanewise(VectorOperators.ASHR, 63).not();
        return (FloatVector) kept.convertShape(VectorOperators.L2F, F, part);
    }
}
