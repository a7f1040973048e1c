package trdetr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import trdetr.backend.Backend;
import trdetr.backend.cpu.Parallel;
import trdetr.backend.cuda.CudaBackend;
import trdetr.bench.PeakMemory;
import trdetr.bench.StepBenchmark;

/** {@code trdetr bench step}: full training steps and forward passes of the released model, timed. */
@Command(name = "step", mixinStandardHelpOptions = true,
        description = "Time training steps (forward, loss, backward, clipping, AdamW) and forward passes of the released "
                + "TR-DETR on a random batch of the official shapes; prints one JSON line last.")
final class BenchStepCommand implements Callable<Integer> {
    @Mixin DeviceOption device;

    @Option(names = "--bsz", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int bsz = 32;

    @Option(names = "--threads", description = "CPU worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--steps", description = "Timed training steps after warm-up (default: ${DEFAULT-VALUE}).")
    int steps = 10;

    @Option(names = "--forwards", description = "Timed forward passes after warm-up (default: ${DEFAULT-VALUE}).")
    int forwards = 10;

    @Option(names = "--warmup", description = "Untimed steps and passes first (default: ${DEFAULT-VALUE}).")
    int warmup = 3;

    @Option(names = "--seed", description = "Seed of the model and the batch (default: ${DEFAULT-VALUE}).")
    long seed = 2018;

    @Override public Integer call() throws Exception {
        if (bsz < 1 || steps < 1 || forwards < 1 || warmup < 0) throw new UserError("--bsz, --steps and --forwards must be at least 1, --warmup at least 0");
        if (threads != null) {
            if (threads < 1) throw new UserError("--threads must be at least 1, got " + threads);
            Parallel.setThreads(threads);
        }
        Backend backend = device.use();
        StepBenchmark.Settings s = new StepBenchmark.Settings(bsz, 75, 32, 2818, 512, warmup, steps, forwards, seed);
        StepBenchmark.Result r = StepBenchmark.run(backend, s);
        for (int i = 0; i < r.stepSeconds().length; i++) System.out.printf("step %d: %.3f s%n", i, r.stepSeconds()[i]);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("impl", "trdetr-java");
        json.put("device", backend.name());
        if (backend instanceof CudaBackend) json.put("gpu", ((CudaBackend) backend).device().name());
        json.put("threads", Parallel.threads());
        json.put("bsz", bsz);
        json.put("steps", steps);
        json.putAll(r.summary());
        json.put("first_loss", r.firstLoss());
        json.put("last_loss", r.lastLoss());
        Runtime rt = Runtime.getRuntime();
        json.put("heap_used_mb", (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
        json.put("peak_heap_mb", PeakMemory.peakHeapMb());
        // what running the command holds at its peak: this JVM's peak and the launcher's private memory (java -jar starts two)
        json.put("peak_rss_mb", PeakMemory.commandPeakRssMb());
        json.put("process_peak_rss_mb", PeakMemory.peakRssMb());
        json.put("launcher_rss_mb", PeakMemory.launcherRssMb());
        if (backend instanceof CudaBackend) json.put("peak_device_mb", ((CudaBackend) backend).peakBytesInUse() / 1048576.0);
        json.put("java", System.getProperty("java.version"));
        System.out.println(new ObjectMapper().writeValueAsString(json));
        return 0;
    }
}
