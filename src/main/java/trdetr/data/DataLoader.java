package trdetr.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import trdetr.tensor.CounterRng;
import trdetr.tensor.Generator;

/**
 * Batches of a {@link MomentDataset}, as torch's DataLoader with the official settings: drop_last false, training
 * order shuffled every epoch, evaluation in file order.
 *
 * <p>Everything random is a pure function of (seed, epoch, index), so a run resumed at epoch e (even mid-epoch, with
 * {@link #epoch(int, int)}) sees exactly the batches an uninterrupted run would, with no saved loader state:
 * the epoch's order is {@link #permutation(long, int, int)}, and each sample's labels are drawn from
 * {@link #sampleGenerator(long, int, int)} (so they also do not depend on batch composition or worker count).
 * The streams differ from PyTorch's/Python's; only the distributions match.
 *
 * <p>With workers &gt; 0 batches are assembled ahead on that many daemon threads (up to {@code workers} batches in
 * flight); the result is identical to workers = 0.
 */
public final class DataLoader implements AutoCloseable {
    private static final long SHUFFLE_STREAM = 0x5ca1ab1e0ddba11L;
    private static final long LABEL_STREAM = 0x1abe15eedL;
    /** Counters reserved per sample in its label stream (a sample draws at most a few dozen numbers). */
    private static final int COUNTERS_PER_SAMPLE_LOG2 = 24;

    private final MomentDataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int workers;
    private ExecutorService pool;

    public DataLoader(MomentDataset dataset, int batchSize, boolean shuffle, long seed, int workers) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        if (workers < 0) throw new IllegalArgumentException("workers must be ≥ 0, got " + workers);
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.workers = workers;
    }

    /** Shuffled every epoch (official train loader: bsz 32, shuffle, drop_last false). */
    public static DataLoader training(MomentDataset dataset, int batchSize, long seed) {
        return new DataLoader(dataset, batchSize, true, seed, 0);
    }

    /** File order (official eval loader: eval_bsz 100, no shuffle); labels drawn with seed 0. */
    public static DataLoader evaluation(MomentDataset dataset, int batchSize) {
        return new DataLoader(dataset, batchSize, false, 0, 0);
    }

    /** The same loader assembling batches on {@code n} background threads. */
    public DataLoader withWorkers(int n) { return new DataLoader(dataset, batchSize, shuffle, seed, n); }

    public MomentDataset dataset() { return dataset; }

    public int batchSize() { return batchSize; }

    public long seed() { return seed; }

    /** Batches per epoch, the last one possibly smaller. */
    public int numBatches() { return (dataset.size() + batchSize - 1) / batchSize; }

    /**
     * The order of epoch {@code epoch}: a uniform permutation of 0..n−1 (Fisher–Yates on a counter-based generator
     * seeded from (seed, epoch)).
     */
    public static int[] permutation(long seed, int epoch, int n) {
        Generator g = new Generator(CounterRng.mix(CounterRng.mix(seed ^ SHUFFLE_STREAM) + epoch));
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = g.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The generator sample {@code index} draws its labels from in epoch {@code epoch}. */
    public static Generator sampleGenerator(long seed, int epoch, int index) {
        return new Generator(CounterRng.mix(CounterRng.mix(seed ^ LABEL_STREAM) + epoch), (long) index << COUNTERS_PER_SAMPLE_LOG2);
    }

    /** Dataset indices in the order epoch {@code epoch} visits them. */
    public int[] order(int epoch) {
        if (shuffle) return permutation(seed, epoch, dataset.size());
        int[] p = new int[dataset.size()];
        for (int i = 0; i < p.length; i++) p[i] = i;
        return p;
    }

    /** Batch {@code batchIndex} of epoch {@code epoch}, assembled on the calling thread. */
    public Batch batch(int epoch, int batchIndex) { return load(order(epoch), epoch, batchIndex); }

    /** All batches of an epoch. */
    public Iterable<Batch> epoch(int epoch) { return epoch(epoch, 0); }

    /** The batches of an epoch from {@code firstBatch} on (resuming mid-epoch). */
    public Iterable<Batch> epoch(int epoch, int firstBatch) {
        if (firstBatch < 0 || firstBatch > numBatches()) throw new IllegalArgumentException("first batch " + firstBatch + " of " + numBatches());
        return () -> workers == 0 ? new Sequential(epoch, firstBatch) : new Prefetching(epoch, firstBatch);
    }

    private Batch load(int[] order, int epoch, int batchIndex) {
        int from = batchIndex * batchSize;
        int to = Math.min(order.length, from + batchSize);
        List<Sample> samples = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) samples.add(dataset.get(order[i], sampleGenerator(seed, epoch, order[i])));
        return Collator.collate(samples);
    }

    private final class Sequential implements Iterator<Batch> {
        private final int epoch;
        private final int[] order;
        private int next;

        Sequential(int epoch, int first) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.next = first;
        }

        @Override public boolean hasNext() { return next < numBatches(); }

        @Override public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            return load(order, epoch, next++);
        }
    }

    private final class Prefetching implements Iterator<Batch> {
        private final int epoch;
        private final int[] order;
        private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        private int nextToSubmit;
        private int remaining;

        Prefetching(int epoch, int first) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.nextToSubmit = first;
            this.remaining = numBatches() - first;
            fill();
        }

        private void fill() {
            ExecutorService p = pool();
            while (inFlight.size() < workers && nextToSubmit < numBatches()) {
                int bi = nextToSubmit++;
                inFlight.add(p.submit(() -> load(order, epoch, bi)));
            }
        }

        @Override public boolean hasNext() { return remaining > 0; }

        @Override public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            Future<Batch> f = inFlight.poll();
            Batch b;
            try {
                b = f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while loading a batch", e);
            } catch (ExecutionException e) {
                for (Future<Batch> other : inFlight) other.cancel(true);
                inFlight.clear();
                remaining = 0;
                Throwable c = e.getCause();
                if (c instanceof RuntimeException r) throw r;
                if (c instanceof Error err) throw err;
                throw new IllegalStateException(c);
            }
            remaining--;
            fill();
            return b;
        }
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "trdetr-data-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** Stops the worker threads (daemon threads, so forgetting this does not keep the JVM alive). */
    @Override public synchronized void close() {
        if (pool != null) pool.shutdownNow();
        pool = null;
    }
}
