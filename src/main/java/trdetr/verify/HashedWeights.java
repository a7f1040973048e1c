package trdetr.verify;

import java.nio.charset.StandardCharsets;
import trdetr.tensor.CounterRng;
import trdetr.tensor.Tensor;

/**
 * Weights that a small reference file does not carry but names (tools/export_reference.py --hash-weights): every
 * element is bound·c/2²², c = u − 2²², u the top 23 bits of SplitMix64(key + index), key = SplitMix64(seed XOR
 * FNV-1a-64(tensor name)). With b &lt; 23 bits (--hash-bits, for a checkpoint that must carry the weights and should
 * compress) c is rounded, half to even, to a multiple of 2^(23−b): 2^b + 1 values, symmetric about 0. Integer and
 * exact double arithmetic only, so both sides produce the same float32 values on every machine, and bound is a power
 * of two, so each value is exact in float32.
 */
final class HashedWeights {
    private HashedWeights() {}

    /** The exporter's default (--hash-bits 23): the values are not rounded. */
    static final int DEFAULT_BITS = 23;

    static Tensor values(long seed, String name, int[] shape, double bound, int bits) {
        if (!(bound > 0) || bound != Math.scalb(1.0, Math.getExponent(bound))) {
            throw new IllegalArgumentException("hashed weight " + name + ": bound " + bound + " is not a power of two");
        }
        if (bits < 2 || bits > DEFAULT_BITS) throw new IllegalArgumentException("hashed weight " + name + ": " + bits + " bits, not 2 to 23");
        int n = 1;
        for (int s : shape) n = Math.multiplyExact(n, s);
        long key = CounterRng.mix(seed ^ fnv1a64(name));
        double step = 1L << (DEFAULT_BITS - bits);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double c = (CounterRng.mix(key + i) >>> 41) - (1L << 22);
            v[i] = (float) (bound * (Math.rint(c / step) * step / (1L << 22)));
        }
        return Tensor.of(v, shape);
    }

    static long fnv1a64(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        return h;
    }
}
