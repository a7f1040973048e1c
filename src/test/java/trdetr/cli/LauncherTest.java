package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar trdetr.jar} starts a second JVM (with the Vector API module) that does the work. Stopping the
 * launcher must stop that JVM too, or a killed training run goes on as an orphan.
 */
class LauncherTest {
    /**
     * The relaunched JVM gets the parallel collector with a bounded young generation unless the user chose a
     * collector or sized the young generation, wherever the child would read it.
     */
    @Test
    void theParallelCollectorUnlessTheUserChoseOne() {
        List<String> ours = List.of("-XX:+UseParallelGC", Main.YOUNG_GENERATION_SIZE, Main.YOUNG_GENERATION_BOUND, Main.FIXED_GENERATIONS, Main.INITIAL_HEAP);
        assertThat(Main.collectorOptions(List.of("-Xmx4g"), Map.of(), 17)).isEqualTo(ours);
        assertThat(Main.collectorOptions(List.of("-XX:+UseG1GC"), Map.of(), 17)).isEmpty();
        assertThat(Main.collectorOptions(List.of(), Map.of("JAVA_TOOL_OPTIONS", "-Xss4m  -XX:+UseZGC"), 17)).isEmpty();
        assertThat(Main.collectorOptions(List.of(), Map.of("JDK_JAVA_OPTIONS", "-XX:+UseSerialGC"), 17)).isEmpty();
        assertThat(Main.collectorOptions(List.of("-XX:+UseGCOverheadLimit"), Map.of(), 17)).isEqualTo(ours);
        assertThat(Main.collectorOptions(List.of(), Map.of("JAVA_TOOL_OPTIONS", " "), 17)).isEqualTo(ours);
        // the user's own choice of the collector's sizing policy is left to them
        assertThat(Main.collectorOptions(List.of("-XX:+UseAdaptiveSizePolicy"), Map.of(), 17))
                .containsExactly("-XX:+UseParallelGC", Main.YOUNG_GENERATION_SIZE, Main.YOUNG_GENERATION_BOUND);
    }

    /** Java 25's collector gained nothing from the bound (see Main.collectorOptions), so it gets none. */
    @Test
    void noYoungGenerationBoundFromJava25() {
        assertThat(Main.collectorOptions(List.of(), Map.of(), 25)).containsExactly("-XX:+UseParallelGC");
        assertThat(Main.collectorOptions(List.of(), Map.of(), 21)).contains(Main.YOUNG_GENERATION_BOUND);
    }

    /** Below 3 x 384 MiB of maximum heap the bound would change nothing (and at or above the heap, warn): none. */
    @Test
    void noYoungGenerationBoundInASmallHeap() {
        for (String heap : List.of("-Xmx512m", "-Xmx1g", "-XX:MaxHeapSize=1151m", "-Xmx1179647k"))
            assertThat(Main.collectorOptions(List.of(heap), Map.of(), 17)).as(heap).containsExactly("-XX:+UseParallelGC");
        assertThat(Main.collectorOptions(List.of("-Xmx1152m"), Map.of(), 17)).contains(Main.YOUNG_GENERATION_BOUND);
        assertThat(Main.collectorOptions(List.of("-Xmx1151m"), Map.of(), 17)).containsExactly("-XX:+UseParallelGC");
        // the user's own initial heap stays theirs
        assertThat(Main.collectorOptions(List.of("-Xms2g"), Map.of(), 17)).doesNotContain(Main.INITIAL_HEAP).contains(Main.FIXED_GENERATIONS);
        assertThat(Main.collectorOptions(List.of("-Xmx4g", "-Xmx1g"), Map.of(), 17)).containsExactly("-XX:+UseParallelGC");
        assertThat(Main.collectorOptions(List.of(), Map.of("JAVA_TOOL_OPTIONS", "-Xmx512m"), 17)).containsExactly("-XX:+UseParallelGC");
        assertThat(Main.maxHeapBytes(List.of("-Xmx2G"))).isEqualTo(2L << 30);
    }

    /** A user's own young-generation sizing wins over the launcher's bound. */
    @Test
    void theUsersYoungGenerationSizingWins() {
        for (String sizing : List.of("-Xmn1g", "-XX:MaxNewSize=2g", "-XX:NewSize=512m", "-XX:NewRatio=3"))
            assertThat(Main.collectorOptions(List.of(sizing), Map.of(), 17)).as(sizing).containsExactly("-XX:+UseParallelGC");
        assertThat(Main.collectorOptions(List.of(), Map.of("JDK_JAVA_OPTIONS", "-Xmn2g"), 17)).containsExactly("-XX:+UseParallelGC");
    }

    @Test
    void stoppingTheLauncherStopsTheJvmDoingTheWork() throws Exception {
        Assumptions.assumeTrue(Main.ModuleFinderHolder.systemHasVector(),
                "this JDK has no " + Main.VECTOR_MODULE + ", so the launcher does not relaunch");
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        // Without --add-modules, so that Main relaunches; a long command, so that the child is still working.
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "memory-check", "--device", "cpu", "--steps", "100000");
        pb.environment().remove("TRDETR_NO_RELAUNCH");
        Path log = Files.createTempFile("launcher", ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process launcher = pb.start();
        ProcessHandle child = null;
        try {
            child = awaitChild(launcher, 60);
            assertThat(child).as("the relaunched JVM (log: %s)", Files.readString(log)).isNotNull();

            launcher.destroy(); // SIGTERM, as `kill PID` or a scheduler's timeout sends
            assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
            assertThat(child.onExit().get(30, TimeUnit.SECONDS).isAlive()).as("the relaunched JVM exits with it").isFalse();
        } finally {
            if (child != null) child.destroyForcibly(); // an orphan is no longer among the launcher's descendants
            launcher.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /**
     * TRDETR_NO_RELAUNCH=1 without the Vector API module: the CPU backend falls back to its scalar loops. It used to
     * stop with NoClassDefFoundError at the first dropout or PReLU, because the flag that guards the vector loops was
     * a field of the class that names Vector API types (a training step of memory-check runs both).
     */
    @Test
    void withoutTheVectorModuleTheScalarLoopsRun() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "memory-check", "--device", "cpu", "--steps", "3", "--settled", "2");
        pb.environment().put("TRDETR_NO_RELAUNCH", "1");
        pb.environment().remove("JAVA_TOOL_OPTIONS");      // no --add-modules from the environment either
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Path log = Files.createTempFile("no-vector", ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("memory-check finishes").isTrue();
            String out = Files.readString(log);
            assertThat(out).doesNotContain("NoClassDefFoundError").contains("memory flat");
            assertThat(p.exitValue()).as("exit code (log: %s)", out).isZero();
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private static ProcessHandle awaitChild(Process launcher, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && launcher.isAlive()) {
            Optional<ProcessHandle> java = launcher.children().filter(ProcessHandle::isAlive).findFirst();
            if (java.isPresent()) return java.get();
            Thread.sleep(100);
        }
        return null;
    }
}
