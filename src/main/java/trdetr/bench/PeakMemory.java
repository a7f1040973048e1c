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

    /** Peak RSS in MiB, or NaN where /proc is not available. */
    public static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: no figure
        }
        return Double.NaN;
    }
}
