package trdetr.tensor;

/**
 * A seeded random stream (torch.Generator's role). Each draw reserves a range of counters, so results are
 * reproducible from the seed and independent of the device. Its state is two longs: easy to checkpoint.
 */
public final class Generator {
    private final long seed;
    private long counter;

    public Generator(long seed) { this(seed, 0); }

    public Generator(long seed, long counter) {
        this.seed = seed;
        this.counter = counter;
    }

    public long seed() { return seed; }

    public long counter() { return counter; }

    public void setCounter(long counter) { this.counter = counter; }

    /** Reserves n consecutive counters and returns the first. */
    public long reserve(long n) {
        long start = counter;
        counter += n;
        return start;
    }

    public double nextDouble() { return CounterRng.uniformDouble(seed, reserve(1)); }

    /** A uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
        return (int) Math.floor(nextDouble() * bound);
    }

    /** A standard normal number (Box-Muller on two uniforms). */
    public double nextGaussian() {
        double u1 = nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
