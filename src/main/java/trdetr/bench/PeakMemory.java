package trdetr.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory figures for benchmark reports: the process's peak resident set size (VmHWM in /proc/self/status, Linux),
 * and the Java heap seen two ways. The heap's peak use counts garbage not yet collected (it follows the collector's
 * sizing more than the program); the heap in use right after a collection is close to the live data (an upper
 * bound), and its maximum over the run approximates what the program itself needed.
 */
public final class PeakMemory {
    private PeakMemory() {}

    /** Sum over the heap pools of their peak use since start, in MiB (live data and garbage alike). */
    public static double peakHeapMb() {
        long bytes = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) bytes += p.getPeakUsage().getUsed();
        }
        return bytes / 1048576.0;
    }

    /**
     * Sum over the heap pools of their use after the latest collection that touched each, in MiB: the live data, plus
     * old-generation garbage where the old generation has not been collected since (so an upper bound on the live
     * heap; a full GC first, as memory-check does, gives the exact figure).
     */
    public static double heapAfterGcMb() {
        long bytes = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = p.getType() == MemoryType.HEAP ? p.getCollectionUsage() : null;
            if (u != null) bytes += u.getUsed();
        }
        return bytes / 1048576.0;
    }

    /**
     * Set by {@code java -jar trdetr.jar} in the environment of the JVM it relaunches with the Vector API module
     * (cli.Main): the launcher's process id. The launcher waits for the work to end, so its memory is part of what
     * running the command costs.
     */
    public static final String LAUNCHER_PID_VARIABLE = "TRDETR_LAUNCHER_PID";

    /** Peak RSS of this process in MiB, or NaN where /proc is not available. */
    public static double peakRssMb() { return statusMb("self", "VmHWM:"); }

    /**
     * What the launcher JVM that started this one adds to our resident memory, in MiB (0 when this JVM was started
     * directly): its private (anonymous) resident pages, about 24 MiB. Its file-backed pages (libjvm, the JDK's
     * modules image, the class-data archive: another 21 MiB of its VmRSS) are the same files this JVM maps, one copy
     * in memory, already in {@link #peakRssMb}. Read now: the launcher has only waited since it started us, so its
     * current figure is what it held at our peak. Only a launcher that is still our parent counts (a stale variable
     * names some other process).
     */
    public static double launcherRssMb() {
        String pid = System.getenv(LAUNCHER_PID_VARIABLE);
        if (pid == null) return 0;
        boolean parent = ProcessHandle.current().parent().map(h -> Long.toString(h.pid()).equals(pid.trim())).orElse(false);
        return parent ? statusMb(pid.trim(), "RssAnon:") : 0;
    }

    /** Peak RSS of running the command: this JVM's peak plus its launcher's resident set. */
    public static double commandPeakRssMb() { return peakRssMb() + launcherRssMb(); }

    /** A "kB" field of /proc/PID/status in MiB, or NaN where it cannot be read (not Linux). */
    private static double statusMb(String pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith(field)) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: no figure
        }
        return Double.NaN;
    }
}
