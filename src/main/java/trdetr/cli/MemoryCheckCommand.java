package trdetr.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trdetr.backend.Backend;
import trdetr.backend.Backends;
import trdetr.backend.cpu.Parallel;
import trdetr.backend.cuda.CudaBackend;
import trdetr.train.MemoryCheck;

/** A maintenance check for GPU machines (hidden from the command list): device memory stays flat while training. */
@Command(name = "memory-check", hidden = true, mixinStandardHelpOptions = true,
        description = "Train a small model for many steps and check that memory in use stays flat (GPU: the allocator; CPU: the live heap).")
final class MemoryCheckCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "1000", description = "Training steps (default: ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--settled", defaultValue = "10", description = "The step after which memory must not change (default: ${DEFAULT-VALUE}).") int settled;

    @Option(names = "--device", defaultValue = "cuda", description = "cuda or cpu (default: ${DEFAULT-VALUE}).") String device;

    @Override public Integer call() throws Exception {
        if (steps < settled || settled < 1) throw new UserError("--steps " + steps + " must be at least --settled " + settled + " (>= 1)");
        Backend backend = Backends.forName(device);
        System.out.println("training a small model for " + steps + " steps on "
                + (backend instanceof CudaBackend cuda ? cuda.device() : device + " (" + Parallel.threads() + " threads)"));
        Path dir = Files.createTempDirectory("trdetr-memory-check");
        long start = System.nanoTime();
        MemoryCheck.Result r;
        try {
            r = MemoryCheck.run(backend, steps, dir.resolve("demo"));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        System.out.printf("%.1f s, %.2f ms per step%n", (System.nanoTime() - start) / 1e9, (System.nanoTime() - start) / 1e6 / steps);
        System.out.println(r.summary(settled));
        boolean flat = r.isFlat(settled);
        System.out.println(flat ? "memory flat" : "MEMORY GROWS");
        return flat ? 0 : 1;
    }
}
