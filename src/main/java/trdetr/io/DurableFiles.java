package trdetr.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The one writer for every file the project produces (checkpoints, weights, arrays, results, logs, pictures), so that
 * none is ever lost or half-written:
 * <ol>
 * <li>the content goes to a fresh temporary file {@code .NAME.HEX.tmp} in the target's directory;</li>
 * <li>the temporary file is forced to disk (fsync), then renamed over the target (atomic on POSIX file systems);</li>
 * <li>the directory is forced too, so the rename itself survives a power cut.</li>
 * </ol>
 * A reader sees the old content or the new, never a mixture. On failure (a full disk, say) the temporary file is
 * removed, the target keeps its last good content, and the {@link IOException} names the target. A process killed
 * between steps 1 and 2 leaves a temporary file behind: {@link #removeOrphans} deletes those of our own pattern, and
 * the trainer calls it on start once it owns the results directory.
 */
public final class DurableFiles {
    private DurableFiles() {}

    /** Writes the whole content of a file. */
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** The temporary names this class makes: a dot, the target's name, a dot, hex digits, ".tmp". */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9a-f]{1,16}\\.tmp");

    /**
     * Test hook for kill-and-resume tests: {@code -Dtrdetr.io.haltBeforeRename=NAME:N} halts the JVM at once (as
     * {@code kill -9} would, no shutdown hooks) when the N-th temporary file for a target named NAME is on disk but not
     * yet renamed, the worst moment for a kill.
     */
    private static final String HALT_BEFORE_RENAME = System.getProperty("trdetr.io.haltBeforeRename");
    private static final java.util.concurrent.atomic.AtomicInteger HALT_COUNT = new java.util.concurrent.atomic.AtomicInteger();

    private static void haltIfAsked(Path target) {
        int colon = HALT_BEFORE_RENAME.lastIndexOf(':');
        String name = colon < 0 ? HALT_BEFORE_RENAME : HALT_BEFORE_RENAME.substring(0, colon);
        int nth = colon < 0 ? 1 : Integer.parseInt(HALT_BEFORE_RENAME.substring(colon + 1));
        if (target.getFileName().toString().equals(name) && HALT_COUNT.incrementAndGet() == nth) Runtime.getRuntime().halt(137);
    }

    /** Replaces target with what body writes (see the class comment). Creates the parent directories. */
    public static void write(Path target, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                body.write(out);
                out.flush();
                ch.force(true);
            }
            if (HALT_BEFORE_RENAME != null) haltIfAsked(abs);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(dir);
        } catch (IOException e) {
            deleteQuietly(tmp, e);
            throw named(abs, e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp, e);
            throw e;
        }
    }

    /** Replaces target with text in UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    /**
     * Appends text (UTF-8) to a log file and forces it to disk before returning, so a killed run keeps every line
     * it reported. A new file's directory entry is forced too.
     */
    public static void append(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        boolean created = !Files.exists(abs);
        try (FileChannel ch = FileChannel.open(abs, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        } catch (IOException e) {
            throw named(abs, e);
        }
        if (created) forceDirectory(abs.getParent());
    }

    /**
     * Deletes the temporary files a killed writer left in dir (names of {@link #write}'s pattern only; other files
     * are never touched). Call it only on a directory this process owns. Returns how many were removed.
     */
    public static int removeOrphans(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (isTemporary(f) && Files.isRegularFile(f) && Files.deleteIfExists(f)) removed++;
            }
        }
        return removed;
    }

    /** Whether a file name has the pattern of this class's temporary files. */
    public static boolean isTemporary(Path file) {
        return TEMPORARY.matcher(file.getFileName().toString()).matches();
    }

    /** fsync of a directory, so a rename or a new entry in it is on disk. Not every platform can open one (Windows). */
    private static void forceDirectory(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        try (ch) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse fsync on a directory handle; the data itself was forced already.
        }
    }

    private static void deleteQuietly(Path tmp, Throwable failure) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    /** "cannot write TARGET: reason", one line; the cause is kept. */
    private static IOException named(Path target, IOException e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (reason.startsWith("cannot write ")) return e;
        // NIO messages often are just the path; say what kind of failure it was.
        if (e instanceof java.nio.file.AccessDeniedException) reason = "permission denied";
        else if (e instanceof java.nio.file.NoSuchFileException) reason = "no such file or directory";
        else if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) reason = fse.getReason();
        IOException named = new IOException("cannot write " + target + ": " + FormatException.oneLine(reason));
        named.initCause(e);
        return named;
    }
}
