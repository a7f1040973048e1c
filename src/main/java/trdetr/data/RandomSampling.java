package trdetr.data;

import trdetr.tensor.Generator;

/**
 * The two draws the official dataset makes with Python's {@code random} module — {@code random.shuffle} and
 * {@code random.sample} — on our seeded {@link Generator} instead. The algorithms have the same distribution
 * (uniform permutation; k distinct elements, in draw order) but the random stream differs from CPython's Mersenne
 * Twister, so individual labels cannot match a Python run (spec §4.7 notes this cannot be replicated anyway).
 */
public final class RandomSampling {
    private RandomSampling() {}

    /** Shuffles in place, Fisher–Yates from the end as {@code random.shuffle} does. */
    public static void shuffle(Object[] a, Generator gen) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = gen.nextInt(i + 1);
            Object t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** k distinct positions of {@code population} (sampled without replacement), their values in draw order. */
    public static int[] sample(int[] population, int k, Generator gen) {
        if (k > population.length) {
            throw new IllegalArgumentException("sample: cannot draw " + k + " distinct values from " + population.length);
        }
        int[] pool = population.clone();
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            int j = i + gen.nextInt(pool.length - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
            out[i] = pool[i];
        }
        return out;
    }

    /** k distinct integers from [from, to), in draw order. */
    public static int[] sampleRange(int from, int to, int k, Generator gen) {
        int[] pop = new int[Math.max(0, to - from)];
        for (int i = 0; i < pop.length; i++) pop[i] = from + i;
        return sample(pop, k, gen);
    }
}
