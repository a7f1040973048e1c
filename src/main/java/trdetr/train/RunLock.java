package trdetr.train;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A training run owns its results directory: two runs writing into one would interleave metrics.jsonl and leave
 * latest.ckpt from one and best.ckpt from the other. The owner holds an operating-system lock on
 * {@code RESULTS/.lock} for as long as it runs and writes its pid and host there; a second run is refused with one
 * line naming the directory and the owner.
 *
 * <p>The OS releases the lock when its process dies, however it dies ({@code kill -9} included), so a lock is never
 * stale in the sense of blocking anyone; a file still naming a dead owner is taken over with a warning. The file is
 * emptied, never deleted, on release: deleting it would let a third process lock a new file while a second still
 * holds the old, unlinked one.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Lock files this JVM holds, with their owner lines. A second run in the same JVM is refused from here, before it
     * opens the file: on POSIX systems closing any descriptor of a file drops every lock the process holds on it, so
     * even a look at the file would free the directory for other processes.
     */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    /** Takes the directory (creating it), or fails with an IOException naming it and its owner. */
    public static RunLock acquire(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.toRealPath().resolve(FILE);
        String me = owner();
        String holder = HELD.putIfAbsent(file, me);
        if (holder != null) throw busy(dir, holder);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            String previous = read(ch);
            if (lock == null) throw busy(dir, previous.isEmpty() ? "owner unknown" : previous);
            try {
                // An owner that finishes empties the file, so text in a file we could lock is from a run that died.
                if (!previous.isEmpty()) {
                    System.err.println("warning: " + dir + ": taking over the lock of an earlier run (" + previous
                            + ") that is no longer running");
                }
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                ch.force(true);
            } catch (IOException | RuntimeException e) {
                lock.release();
                throw e;
            }
            return new RunLock(file, ch, lock);
        } catch (IOException | RuntimeException e) {
            HELD.remove(file);
            if (ch != null) ch.close();
            throw e;
        }
    }

    private static IOException busy(Path dir, String owner) {
        return new IOException(dir + ": another training run (" + owner
                + ") is using this results directory; wait for it to finish or choose another --exp-id");
    }

    /** "pid N on HOST since TIME", as the lock file records its owner. */
    static String owner() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return "pid " + ProcessHandle.current().pid() + " on " + host + " since "
               + java.time.Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    }

    private static String read(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 512);
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) { }
        return trdetr.io.FormatException.oneLine(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip());
    }

    @Override public void close() throws IOException {
        try (channel) {
            channel.truncate(0);
            channel.force(true);
        } finally {
            if (lock.isValid()) lock.release();
            HELD.remove(file);
        }
    }
}
