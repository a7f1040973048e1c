package trdetr.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trdetr.backend.Backend;
import trdetr.backend.Backends;
import trdetr.backend.GemmShape;
import trdetr.backend.MemoryScope;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaGemm;
import trdetr.tensor.Tensor;

/**
 * {@code trdetr bench gemm}: times {@link Backend#matmul} on the model's shapes ({@link GemmShape#MODEL}) and, on a
 * GPU with TF32 tensor cores, compares with the measured mma.sync TF32 ceiling. Each (shape, mode) runs a few
 * warm-up products, then {@code --samples} samples of R back-to-back products (R chosen so a sample lasts about
 * {@code --sample-ms}) between two device synchronisations; the median sample / R is reported. The time therefore
 * includes launch and allocation costs as the model sees them (they dominate only the small attention product).
 * The last line is one JSON object with every result.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true, description = "Time matrix products on the model's shapes.")
final class BenchGemmCommand implements Callable<Integer> {
    @Option(names = "--device", description = "cpu or cuda (default: ${DEFAULT-VALUE}).")
    String device = "cuda";

    @Option(names = "--mode", description = "GPU GEMM mode: exact, tf32, cublas or all (exact, tf32, and cublas "
            + "where it loads) (default: ${DEFAULT-VALUE}).")
    String mode = "all";

    @Option(names = "--samples", description = "Timed samples per shape and mode (default: ${DEFAULT-VALUE}).")
    int samples = 11;

    @Option(names = "--sample-ms", description = "Target length of one sample in ms (default: ${DEFAULT-VALUE}).")
    double sampleMillis = 20;

    @Override public Integer call() throws JsonProcessingException {
        if (samples < 1) throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
        Backend backend = Backends.forName(device);
        CudaBackend cuda = backend instanceof CudaBackend ? (CudaBackend) backend : null;
        List<CudaGemm.Mode> modes = cuda == null ? List.of(CudaGemm.Mode.EXACT) : modes(cuda);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("device", cuda == null ? "cpu" : cuda.device().toString());
        double peak = Double.NaN;
        if (cuda != null && cuda.device().computeMajor() >= 8) {
            peak = cuda.gemm().measureTf32PeakTflops();
            System.out.printf("mma.sync TF32 ceiling (registers only, all SMs): %.1f TFLOP/s on %s%n", peak, cuda.device());
            report.put("mma_tf32_peak_tflops", round(peak));
        }
        System.out.printf("%-28s %-7s %10s %10s %8s%n", "shape", "mode", "median ms", cuda == null ? "GFLOP/s" : "TFLOP/s",
                cuda == null ? "" : "/ceiling");
        List<Map<String, Object>> results = new ArrayList<>();
        CudaGemm.Mode previous = cuda == null ? null : cuda.gemm().mode();
        try {
            for (GemmShape s : GemmShape.MODEL) {
                Random r = new Random(42);
                Tensor a = Tensor.wrap(backend.upload(random(r, s.shapeA())), s.shapeA());
                Tensor b = Tensor.wrap(backend.upload(random(r, s.shapeB())), s.shapeB());
                for (CudaGemm.Mode m : modes) {
                    String label = cuda == null ? "cpu" : m.name().toLowerCase();
                    if (cuda != null) cuda.gemm().setMode(m);
                    double ms = medianMillis(backend, a, b, s);
                    double tflops = s.flops() / (ms * 1e-3) / 1e12;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("shape", s.name());
                    row.put("mode", label);
                    row.put("ms", round(ms));
                    row.put("gflops", round(tflops * 1e3));
                    if (!Double.isNaN(peak)) row.put("ceiling_ratio", round(tflops / peak));
                    results.add(row);
                    System.out.printf("%-28s %-7s %10.4f %10.2f %8s%n", s.name(), label, ms, cuda == null ? tflops * 1e3 : tflops,
                            Double.isNaN(peak) ? "" : String.format("%.1f%%", 100 * tflops / peak));
                }
            }
        } finally {
            if (cuda != null) cuda.gemm().setMode(previous);
        }
        report.put("results", results);
        System.out.println(new ObjectMapper().writeValueAsString(report));
        return 0;
    }

    private List<CudaGemm.Mode> modes(CudaBackend cuda) {
        if (!mode.equalsIgnoreCase("all")) return List.of(CudaGemm.Mode.parse(mode));
        List<CudaGemm.Mode> all = new ArrayList<>(List.of(CudaGemm.Mode.EXACT));
        if (cuda.device().computeMajor() >= 8) all.add(CudaGemm.Mode.TF32);
        cuda.gemm().setMode(CudaGemm.Mode.CUBLAS);
        if (cuda.gemm().effectiveMode() == CudaGemm.Mode.CUBLAS) all.add(CudaGemm.Mode.CUBLAS);   // logs once either way
        return all;
    }

    /** Median over samples of the time per product, in ms. */
    private double medianMillis(Backend backend, Tensor a, Tensor b, GemmShape s) {
        double first = timeMillis(backend, a, b, s, 1);   // warm-up: PTX JIT, allocator, JIT compiler
        for (int i = 0; i < 2; i++) first = Math.min(first, timeMillis(backend, a, b, s, 1));
        int reps = (int) Math.max(1, Math.min(200, sampleMillis / Math.max(first, 1e-3)));
        double[] t = new double[samples];
        for (int i = 0; i < samples; i++) t[i] = timeMillis(backend, a, b, s, reps) / reps;
        Arrays.sort(t);
        return t[samples / 2];
    }

    private static double timeMillis(Backend backend, Tensor a, Tensor b, GemmShape s, int reps) {
        try (MemoryScope scope = backend.openScope()) {   // the outputs are released when the sample ends
            backend.synchronize();
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) backend.matmul(a, b, s.transA(), s.transB());
            backend.synchronize();
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    private static float[] random(Random r, int[] shape) {
        float[] v = new float[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() - 0.5f;
        return v;
    }

    private static double round(double x) { return Math.round(x * 1e4) / 1e4; }
}
