package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A results directory has one owner at a time: refused for a second run, in this JVM or another; freed by death. */
class RunLockTest {
    @TempDir Path tmp;

    /** Child process: takes the lock on args[0], says "locked", and holds it until killed. */
    public static void main(String[] args) throws Exception {
        RunLock lock = RunLock.acquire(Path.of(args[0]));
        System.out.println("locked");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        lock.close();
    }

    @Test
    void aSecondRunInThisProcessIsRefusedUntilTheFirstEnds() throws Exception {
        Path dir = tmp.resolve("run");
        try (RunLock first = RunLock.acquire(dir)) {
            assertThatThrownBy(() -> RunLock.acquire(dir))
                    .hasMessageStartingWith(dir + ": another training run (pid " + ProcessHandle.current().pid() + " on ")
                    .hasMessageContaining("choose another --exp-id")
                    .hasMessageNotContaining("\n");
        }
        assertThat(Files.readString(dir.resolve(RunLock.FILE))).as("emptied on release").isEmpty();
        try (RunLock again = RunLock.acquire(dir)) {
            assertThat(Files.readString(dir.resolve(RunLock.FILE))).startsWith("pid " + ProcessHandle.current().pid());
        }
    }

    @Test
    void anotherProcessHoldingTheLockIsNamedAndItsDeathFreesTheDirectory() throws Exception {
        Path dir = tmp.resolve("run");
        Process holder = SmallRun.java(RunLockTest.class, dir.toString()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do line = out.readLine(); while (line != null && !line.equals("locked")); // past the JVM's own warnings
            assertThat(line).as("the child took the lock").isEqualTo("locked");
            assertThatThrownBy(() -> RunLock.acquire(dir))
                    .hasMessageStartingWith(dir + ": another training run (pid " + holder.pid() + " on ");
        } finally {
            holder.destroyForcibly(); // SIGKILL: no chance to empty the file
            assertThat(holder.waitFor(1, TimeUnit.MINUTES)).isTrue();
        }
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (RunLock taken = RunLock.acquire(dir)) {
            assertThat(Files.readString(dir.resolve(RunLock.FILE))).startsWith("pid " + ProcessHandle.current().pid());
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .startsWith("warning: " + dir + ": taking over the lock of an earlier run (pid " + holder.pid() + " on ")
                .endsWith("that is no longer running" + System.lineSeparator());
    }

    /** Child process: tries once to take the lock on args[0] and prints "locked" or "refused". */
    static final class TryOnce {
        public static void main(String[] args) {
            try (RunLock lock = RunLock.acquire(Path.of(args[0]))) {
                System.out.println("locked");
            } catch (java.io.IOException e) {
                System.out.println("refused");
            }
        }
    }

    /**
     * A second run refused in this process must leave the first run's lock in force for other processes: on POSIX,
     * closing any descriptor of the lock file would drop the lock, so the refusal must not open the file at all.
     */
    @Test
    void aRefusalInThisProcessKeepsTheDirectoryLockedForOthers() throws Exception {
        Path dir = tmp.resolve("run");
        try (RunLock first = RunLock.acquire(dir)) {
            for (int i = 0; i < 2; i++) assertThatThrownBy(() -> RunLock.acquire(dir)).hasMessageContaining("another training run");
            Process other = SmallRun.java(TryOnce.class, dir.toString()).start();
            String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(other.waitFor(1, TimeUnit.MINUTES)).isTrue();
            assertThat(out).as("another process after this one's refusals").contains("refused").doesNotContain("locked");
        }
    }
}
