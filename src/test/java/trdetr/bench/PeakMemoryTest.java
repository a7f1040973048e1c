package trdetr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks' peak RSS counts the {@code java -jar} launcher that waits for the worker JVM: a JVM started by this
 * test (its parent, standing in for the launcher) reports this JVM's private resident memory as its launcher's, and nothing for a
 * variable that names a process other than its parent.
 */
class PeakMemoryTest {
    /** Prints launcherRssMb() and commandPeakRssMb() - peakRssMb(), as the worker JVM would compute them. */
    public static void main(String[] args) {
        double launcher = PeakMemory.launcherRssMb();
        System.out.println(launcher + " " + (PeakMemory.commandPeakRssMb() - PeakMemory.peakRssMb()));
    }

    private static double[] childReport(String launcherPid) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"), PeakMemoryTest.class.getName());
        pb.environment().put(PeakMemory.LAUNCHER_PID_VARIABLE, launcherPid);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child JVM finished").isTrue();
        String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+");
        return new double[] {Double.parseDouble(out[out.length - 2]), Double.parseDouble(out[out.length - 1])};
    }

    @Test
    void theLauncherThatWaitsIsCounted() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "no /proc/self/status (not Linux): no RSS figures");
        double[] r = childReport(Long.toString(ProcessHandle.current().pid()));
        assertThat(r[0]).as("this JVM's private resident memory, as the child's launcher's").isGreaterThan(10);
        // read a moment apart from a launcher that, unlike trdetr's, is busy (this test run): close, not equal
        assertThat(r[1]).as("the command's peak is the child's plus the launcher's").isCloseTo(r[0], org.assertj.core.data.Percentage.withPercentage(25));
    }

    @Test
    void aVariableNamingAnotherProcessCountsNothing() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "no /proc/self/status (not Linux): no RSS figures");
        assertThat(childReport("1")[0]).isZero();                     // pid 1 is never this test's JVM
        assertThat(PeakMemory.launcherRssMb()).as("this JVM was not relaunched by trdetr").isZero();
    }
}
