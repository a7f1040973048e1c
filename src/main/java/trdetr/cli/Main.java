package trdetr.cli;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import trdetr.bench.PeakMemory;

/** {@code java -jar trdetr.jar <command>}: the entry point for every subcommand. */
@Command(name = "trdetr", mixinStandardHelpOptions = true, version = "trdetr 0.1.0",
        description = "TR-DETR video moment retrieval and highlight detection, in pure Java.",
        subcommands = {TrainCommand.class, PredictCommand.class, EvalCommand.class, VerifyCommand.class, GradcheckCommand.class,
                BenchCommand.class, MemoryCheckCommand.class, TokenizeCommand.class, FeaturesCommand.class, ServeCommand.class})
public final class Main implements Runnable {
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    public static void main(String[] args) {
        if (needsVectorRelaunch()) System.exit(relaunchWithVectorModule(args));
        System.exit(run(args));
    }

    /** Runs a command line in this JVM and returns its exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserError || e instanceof IllegalArgumentException || e instanceof trdetr.io.FormatException
                    || e instanceof java.io.IOException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        // --device sets the default backend for the command; tests run many commands in one JVM.
        trdetr.backend.Backend previous = trdetr.tensor.Tensor.defaultBackend();
        try {
            return cli.execute(args);
        } finally {
            trdetr.tensor.Tensor.setDefaultBackend(previous);
        }
    }

    @Override public void run() { CommandLine.usage(this, System.out); }

    /**
     * The Vector API is an incubator module that `java -jar` does not resolve by default, and a jar manifest cannot
     * add modules. So the launcher starts a second JVM with {@code --add-modules jdk.incubator.vector} (same JVM
     * options, same arguments) unless the module is already there or TRDETR_NO_RELAUNCH is set, in which case the
     * scalar kernels are used.
     */
    private static boolean needsVectorRelaunch() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) return false;
        if (System.getenv("TRDETR_NO_RELAUNCH") != null) return false;
        return ModuleLayer.boot().configuration().findModule("java.base").isPresent()
                && ModuleFinderHolder.systemHasVector();
    }

    /**
     * The collector for the relaunched JVM: the parallel one, unless the user chose a collector (on the command line
     * or in JAVA_TOOL_OPTIONS / JDK_JAVA_OPTIONS, which the child reads too; two choices would stop it). Why: a
     * training step allocates large arrays (G1 "humongous" allocations), each of which can start a concurrent G1
     * cycle, and on a machine with as many cores as worker threads those cycles take the workers' cores. Measured on
     * 2 cores, 2 threads (bench step, B = 32): G1 median 3.1 s with steps from 1.8 to 4.3 s, the parallel collector
     * 1.15–1.4 s with steps from 1.1 to 1.7 s.
     *
     * <p>With the parallel collector it also bounds the young generation ({@link #YOUNG_GENERATION_BOUND}) unless the
     * user sized it. Why: a step allocates at a high rate, so the collector's adaptive sizing grows the young
     * generation towards its limit (a third of the maximum heap) and the process holds ~3.2 GiB for a live set of
     * ~0.8 GiB. Bounding only the young generation leaves the old generation free to grow to the usual maximum heap,
     * so a larger batch or data set cannot run out of memory because of it, as a default -Xmx could. Measured in one
     * run (2 cores, 2 threads, B = 32): peak RSS 3230 MiB unbounded, 1999 MiB with 640 MiB, step median 2.07 s and
     * 1.98 s (the same within noise); 384 MiB gave 1837 MiB but a slower step (2.17 s). Only before Java 25: on
     * Temurin 25 the old generation grows to the same ~5.7 GiB either way (young collections promote more and no
     * full collection comes), and the bounded runs' steps were slower (2.52 and 3.38 s against 2.27 and 2.46 s).
     * Java 18 to 24 are unmeasured. See BENCHMARKS.md.
     *
     * <p>Since 2026-12-07 the young generation is also fixed at that size from the start and the collector's adaptive
     * sizing is off ({@link #FIXED_GENERATIONS}): with it on, the policy still commits old-generation and survivor
     * space well beyond the live set. Measured on an AMD EPYC, 2 cores, 2 threads, 8 steps, two rounds: peak RSS 1882
     * and 1885 MiB with adaptive sizing, 1198 and 1227 MiB without; step medians 1.41 / 1.47 s and 1.39 / 1.30 s (the
     * same within this machine's noise; the slowest step 1.71 / 1.69 s against 1.41 / 1.35 s). On Temurin 25 the
     * options change nothing (5.7 and 5.9 GiB), so it stays without them. Not either where the user's own maximum heap is below three
     * times the bound: the young generation's default limit (a third of the heap) is then below the bound already,
     * and a bound at or above the whole heap makes the JVM print warnings on every start.
     *
     * <p>Later on 2026-12-07 the young generation went down to 384 MiB and the initial heap up to 1 GiB
     * ({@link #INITIAL_HEAP}, unless the user sets one): with adaptive sizing off, the old generation does not grow
     * ahead of need, so it stayed at a few hundred MiB and nearly every collection was a full one (Pause Full
     * (Ergonomics): the old generation could not promise room for a young collection's survivors). GC logs of bench
     * step (6 steps, 10 forwards, 2 threads): 800–1776 full collections and 11–24 s of pauses in a run, about 10 s of
     * them at start-up (15 s instead of 25 s to the first step); with 384 MiB and 1 GiB, 52–55 full and 60 young
     * collections, 3.0 s of pauses, peak RSS 1134–1166 MiB (1093–1269 before), step 1.09 / 1.15 s and forward 0.30 /
     * 0.29 s against 1.11 / 1.64 s and 0.28 / 0.45 s (the second run thrashed). bench/results/cpu-initial-heap-2026-12-07.md.
     */
    static List<String> collectorOptions(List<String> jvmArgs, java.util.Map<String, String> env, int javaFeature) {
        // In the order the child reads them, so that the last -Xmx is the one it uses: the environment's, then the
        // command line's (which comes after JAVA_TOOL_OPTIONS and holds JDK_JAVA_OPTIONS' already).
        List<String> userOptions = new ArrayList<>();
        for (String var : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) userOptions.addAll(java.util.Arrays.asList(v.trim().split("\\s+")));
        }
        userOptions.addAll(jvmArgs);
        if (userOptions.stream().anyMatch(a -> a.matches("-XX:[+-]Use\\w*GC"))) return List.of();
        boolean sizesYoung = userOptions.stream()
                .anyMatch(a -> a.startsWith("-Xmn") || a.matches("-XX:(Max)?NewSize=.*") || a.startsWith("-XX:NewRatio="));
        boolean smallHeap = maxHeapBytes(userOptions) < 3 * YOUNG_GENERATION_BOUND_MIB * MIB;
        if (sizesYoung || smallHeap || javaFeature >= 25) return List.of("-XX:+UseParallelGC");
        boolean userSizingPolicy = userOptions.stream().anyMatch(a -> a.matches("-XX:[+-]UseAdaptiveSizePolicy"));
        boolean userInitialHeap = userOptions.stream().anyMatch(a -> a.startsWith("-Xms") || a.startsWith("-XX:InitialHeapSize="));
        List<String> options = new ArrayList<>(List.of("-XX:+UseParallelGC", YOUNG_GENERATION_SIZE, YOUNG_GENERATION_BOUND));
        if (!userSizingPolicy) options.add(FIXED_GENERATIONS);
        if (!userSizingPolicy && !userInitialHeap) options.add(INITIAL_HEAP);
        return List.copyOf(options);
    }

    private static final long MIB = 1L << 20;
    private static final long YOUNG_GENERATION_BOUND_MIB = 384;
    /**
     * The initial heap with {@link #FIXED_GENERATIONS}: room in the old generation from the start, so that young
     * collections can promote (collectorOptions). Below the smallest maximum heap that gets these options (3 × 384 MiB).
     */
    static final String INITIAL_HEAP = "-Xms1024m";
    /** The young-generation bound the launcher gives the parallel collector; why and what it saves: collectorOptions. */
    static final String YOUNG_GENERATION_BOUND = "-XX:MaxNewSize=" + YOUNG_GENERATION_BOUND_MIB + "m";
    /** The young generation at that size from the start (with {@link #FIXED_GENERATIONS}, it stays there). */
    static final String YOUNG_GENERATION_SIZE = "-XX:NewSize=" + YOUNG_GENERATION_BOUND_MIB + "m";
    /**
     * No adaptive resizing of the generations: the parallel collector's policy otherwise commits old-generation and
     * survivor space far beyond the live set (peak RSS 1.88 GB against 1.20 GB, the same step time; collectorOptions).
     */
    static final String FIXED_GENERATIONS = "-XX:-UseAdaptiveSizePolicy";

    /** The last -Xmx / -XX:MaxHeapSize among the options, in bytes (as the JVM reads them); Long.MAX_VALUE if none. */
    static long maxHeapBytes(List<String> options) {
        long bytes = Long.MAX_VALUE;
        java.util.regex.Pattern size = java.util.regex.Pattern.compile("(?:-Xmx|-XX:MaxHeapSize=)(\\d+)([kKmMgGtT]?)");
        for (String option : options) {
            java.util.regex.Matcher m = size.matcher(option);
            if (!m.matches()) continue;
            int shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
                case "k" -> 10; case "m" -> 20; case "g" -> 30; case "t" -> 40; default -> 0;
            };
            bytes = Long.parseLong(m.group(1)) << shift;
        }
        return bytes;
    }

    private static int relaunchWithVectorModule(String[] args) {
        try {
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            String classPath = System.getProperty("java.class.path");
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.add("--add-modules=" + VECTOR_MODULE);
            List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
            cmd.addAll(collectorOptions(jvmArgs, System.getenv(), Runtime.version().feature())); // the child runs this java
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(Main.class.getName());
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
            pb.environment().put("TRDETR_NO_RELAUNCH", "1");
            // Whose memory is ours too: the benchmarks add this launcher's private memory to the child's (PeakMemory).
            pb.environment().put(PeakMemory.LAUNCHER_PID_VARIABLE, Long.toString(ProcessHandle.current().pid()));
            // A SIGTERM/SIGINT/SIGHUP to this launcher (a scheduler's kill, a timeout, `kill PID`) must also stop the
            // JVM doing the work; without this hook the child would train on as an orphan. SIGKILL cannot be caught.
            WorkerJvm worker = new WorkerJvm();
            Runtime.getRuntime().addShutdownHook(new Thread(worker::stop, "trdetr-stop-child"));
            Process p = worker.start(pb);
            return p == null ? 143 : p.waitFor(); // null: the launcher was stopped first (143 = 128 + SIGTERM)
        } catch (Exception e) {
            System.err.println("warning: could not start a JVM with the Vector API (" + e.getMessage() + "); using scalar kernels");
            return run(args);
        }
    }

    /**
     * The relaunched JVM, stopped together with the launcher. Start and stop exclude each other, so a signal at any
     * moment is covered: a stop before the start means the child never starts, a stop after it stops the child.
     */
    private static final class WorkerJvm {
        private Process process;
        private boolean stopped;

        synchronized Process start(ProcessBuilder pb) throws java.io.IOException {
            return stopped ? null : (process = pb.start());
        }

        /** SIGTERM first, so the child's own shutdown hooks run; forced after 10 s. */
        void stop() {
            Process child;
            synchronized (this) {
                stopped = true;
                child = process;
            }
            if (child == null || !child.isAlive()) return;
            child.destroy();
            try {
                if (!child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) child.destroyForcibly();
            } catch (InterruptedException e) {
                child.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Kept apart so the module lookup is only done when needed (LauncherTest asks it too). */
    static final class ModuleFinderHolder {
        static boolean systemHasVector() {
            return java.lang.module.ModuleFinder.ofSystem().find(VECTOR_MODULE).isPresent();
        }
    }
}
