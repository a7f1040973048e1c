package trdetr.verify;

import java.nio.charset.StandardCharsets;
import trdetr.tensor.CounterRng;
import trdetr.tensor.Tensor;

/**
 * Weights that a small reference file does not carry but names (tools/export_reference.py --hash-weights): every
 * element is bound·(u − 2²²)/2²², u the top 23 bits of SplitMix64(key + index), key = SplitMix64(seed XOR
 * FNV-1a-64(tensor name)). Integer arithmetic only, so both sides produce the same float32 values on every machine,
 * and bound is a power of two, so each value is exact in float32.
 */
final class HashedWeights {
    private HashedWeights() {}

    static Tensor values(long seed, String name, int[] shape, double bound) {
        if (!(bound > 0) || bound != Math.scalb(1.0, Math.getExponent(bound))) {
            throw new IllegalArgumentException("hashed weight " + name + ": bound " + bound + " is not a power of two");
        }
        int n = 1;
        for (int s : shape) n = Math.multiplyExact(n, s);
        long key = CounterRng.mix(seed ^ fnv1a64(name));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            long u = CounterRng.mix(key + i) >>> 41;
            v[i] = (float) (bound * ((u - (1L << 22)) / (double) (1L << 22)));
        }
        return Tensor.of(v, shape);
    }

    static long fnv1a64(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        return h;
    }
}
