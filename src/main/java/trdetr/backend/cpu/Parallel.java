package trdetr.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A tiny persistent thread pool for the CPU backend.
 *
 * <p>{@link #forEach} runs {@code body(0 .. tasks-1)} on the calling thread plus {@code threads()-1}
 * persistent daemon workers; tasks are handed out from an atomic counter and the call returns when every
 * task has finished. Only one parallel region runs at a time: a call made while a region is active (from
 * inside a task, i.e. re-entrantly, or from another thread) simply runs its tasks inline on its own thread,
 * so nesting never deadlocks and concurrent callers stay correct.
 *
 * <p>Waiting is "spin briefly, then park": workers spin for a short while after a region ends (consecutive
 * GEMM calls then start without a wake-up latency) and then park, so an idle pool uses no CPU and a pool
 * sharing its cores with another process does not collapse the way pure spin-waiting does.
 */
public final class Parallel {

    /** How long a waiting thread spins before it parks ({@code -Dtrdetr.spinMicros}, default 50). */
    private static final long SPIN_NANOS = 1000L * Long.getLong("trdetr.spinMicros", 50L);

    private static volatile int threads = defaultThreads();

    /** Set while a parallel region (or a pool reconfiguration) owns the workers. */
    private static final AtomicBoolean busy = new AtomicBoolean();

    /** The current workers; replaced by {@link #setThreads}. Guarded by {@link #busy}. */
    private static Worker[] workers = new Worker[0];

    /** Identifies regions; guarded by {@link #busy}. */
    private static long jobIds;

    /** The job the workers should look at; a new object per region. */
    private static volatile Job current;

    private Parallel() {}

    private static int defaultThreads() {
        String p = System.getProperty("trdetr.threads");
        if (p != null && !p.isBlank()) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the processor count
            }
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** The number of threads a parallel region uses (the caller included). */
    public static int threads() {
        return threads;
    }

    /**
     * Sets the number of threads (the caller included); waits for a running region to finish first.
     * Must not be called from inside a parallel task (that would wait for itself): throws
     * IllegalStateException there.
     */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1: " + n);
        Job running = current;
        if (Thread.currentThread() instanceof Worker || (running != null && running.caller == Thread.currentThread())) {
            throw new IllegalStateException("Parallel.setThreads called from inside a parallel task");
        }
        acquire();
        try {
            if (n == threads) return;
            threads = n;
            stopWorkers();
        } finally {
            busy.set(false);
        }
    }

    /**
     * Runs {@code body.accept(t)} for every {@code t} in {@code [0, tasks)}, each exactly once, spread over the
     * pool, and returns when all have finished. An exception thrown by a task is rethrown here (after the other
     * tasks finished); the first one wins.
     */
    public static void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        int nt = threads;
        if (nt == 1 || tasks == 1 || !busy.compareAndSet(false, true)) {
            // Single thread, single task, re-entrant call or another region active: run inline.
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        Job job;
        try {
            Worker[] ws = workers;
            if (ws.length != nt - 1) ws = startWorkers(nt - 1);
            job = new Job(++jobIds, tasks, body, Thread.currentThread());
            current = job;
            for (Worker w : ws) LockSupport.unpark(w);
            job.run();
            job.awaitDone();
        } finally {
            current = null;
            busy.set(false);
        }
        Throwable err = job.error;
        if (err != null) {
            if (err instanceof RuntimeException re) throw re;
            if (err instanceof Error e) throw e;
            throw new RuntimeException(err);
        }
    }

    /** A contiguous part {@code [from, to)} of an index range. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * Work (roughly: elements read or written) below which a kernel stays on the calling thread: waking the pool
     * costs a few microseconds, about what 32K float element-wise operations take, and most of the model's
     * tensors are smaller than that.
     */
    public static final long MIN_PARALLEL_WORK = 32_768;

    /** Chunks per thread: more than one, so a thread that loses its core to another process does not hold up the rest. */
    private static final int CHUNKS_PER_THREAD = 4;

    /**
     * Runs {@code body} over {@code [0, n)}: inline as one range when {@code n · workPerItem} is below
     * {@link #MIN_PARALLEL_WORK} (or there is one thread), else cut into contiguous chunks spread over the pool.
     * Only for items that are independent of each other (each writes its own outputs), so the result does not
     * depend on how the range was cut.
     */
    public static void forRange(int n, long workPerItem, Range body) {
        if (n <= 0) return;
        long work = (long) n * workPerItem;
        int nt = threads;
        if (nt == 1 || n == 1 || work < MIN_PARALLEL_WORK) {
            body.run(0, n);
            return;
        }
        int chunks = (int) Math.min(n, Math.min((long) CHUNKS_PER_THREAD * nt, work / (MIN_PARALLEL_WORK / CHUNKS_PER_THREAD)));
        forEach(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    private static void acquire() {
        long spins = 0;
        while (!busy.compareAndSet(false, true)) {
            if (++spins < 1000) Thread.onSpinWait();
            else LockSupport.parkNanos(100_000L);
        }
    }

    /** Called with {@link #busy} held. */
    private static Worker[] startWorkers(int n) {
        stopWorkers();
        Worker[] ws = new Worker[n];
        for (int i = 0; i < n; i++) {
            ws[i] = new Worker(i + 1);
            ws[i].start();
        }
        workers = ws;
        return ws;
    }

    /** Called with {@link #busy} held. */
    private static void stopWorkers() {
        for (Worker w : workers) {
            w.stop = true;
            LockSupport.unpark(w);
        }
        workers = new Worker[0];
    }

    /** One parallel region. */
    private static final class Job {
        final long id;
        final int tasks;
        final IntConsumer body;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable error;

        Job(long id, int tasks, IntConsumer body, Thread caller) {
            this.id = id;
            this.tasks = tasks;
            this.body = body;
            this.caller = caller;
        }

        /** Takes tasks from the counter until none are left. */
        void run() {
            int t;
            while ((t = next.getAndIncrement()) < tasks) {
                try {
                    body.accept(t);
                } catch (Throwable e) {
                    if (error == null) error = e;
                } finally {
                    if (done.incrementAndGet() == tasks && Thread.currentThread() != caller) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** Caller side: spin briefly, then park until the last task has finished. */
        void awaitDone() {
            if (done.get() == tasks) return;
            long deadline = System.nanoTime() + SPIN_NANOS;
            int i = 0;
            while (done.get() != tasks) {
                if (((++i) & 63) != 0 || System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }
    }

    private static boolean hasNew(long lastId) {
        Job j = current;
        return j != null && j.id != lastId;
    }

    private static final class Worker extends Thread {
        volatile boolean stop;

        Worker(int id) {
            super("trdetr-cpu-" + id);
            setDaemon(true);
        }

        @Override
        public void run() {
            long last = 0; // id of the last job seen; no reference kept, so its arrays can be collected
            while (!stop) {
                Job job = current;
                if (job != null && job.id != last) {
                    last = job.id;
                    job.run();
                    continue;
                }
                // Spin briefly for the next region, then park until dispatched (or stopped).
                long deadline = System.nanoTime() + SPIN_NANOS;
                int i = 0;
                job = null;
                while (!stop) {
                    if (hasNew(last)) break;
                    if (((++i) & 63) != 0 || System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(Parallel.class);
                    }
                }
            }
        }
    }
}
