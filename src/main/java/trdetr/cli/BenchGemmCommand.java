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
import trdetr.opcheck.GradCheck;
import trdetr.tensor.Tensor;

/**
 * {@code trdetr bench gemm}: times {@link Backend#matmul} on the model's shapes ({@link GemmShape#MODEL}) and, on a
 * GPU with TF32 tensor cores, compares with the measured mma.sync TF32 ceiling. Each (shape, mode) runs a few
 * warm-up products, then {@code --samples} samples of R back-to-back products (R chosen so a sample lasts about
 * {@code --sample-ms}) between two device synchronisations; the median sample / R is reported. The time therefore
 * includes launch and allocation costs as the model sees them (they dominate only the small attention product).
 * With {@code --tf32-variant all} (or a list) the TF32 rows are one per TF32 kernel variant
 * ({@link CudaGemm#TF32_VARIANTS}), each with its relative Frobenius error against the exact kernel's product (a
 * fast but wrong variant shows up, flagged when above {@link CudaGemm#TF32_TOLERANCE}) and its resident blocks per
 * SM; a variant that fails is a FAILED row and the run goes on. The last line is one JSON object with every result.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true, description = "Time matrix products on the model's shapes.")
final class BenchGemmCommand implements Callable<Integer> {
    @Option(names = "--device", description = "cpu or cuda (default: ${DEFAULT-VALUE}).")
    String device = "cuda";

    @Option(names = "--mode", description = "GPU GEMM mode: exact, tf32, cublas or all (exact, tf32, and cublas "
            + "where it loads) (default: ${DEFAULT-VALUE}).")
    String mode = "all";

    @Option(names = "--tf32-variant", paramLabel = "NAME[,NAME...]|all", description = "TF32 kernel variant(s) to time: "
            + "names from --list-tf32-variants, or all (default: the configured one, -Dtrdetr.cuda.gemm.tf32variant).")
    String tf32Variants;

    @Option(names = "--list-tf32-variants", description = "Print the TF32 kernel variants, one a line, and exit.")
    boolean listVariants;

    @Option(names = "--samples", description = "Timed samples per shape and mode (default: ${DEFAULT-VALUE}).")
    int samples = 11;

    @Option(names = "--sample-ms", description = "Target length of one sample in ms (default: ${DEFAULT-VALUE}).")
    double sampleMillis = 20;

    /** One timed configuration: a mode and, for TF32, a kernel variant (null otherwise). */
    private record Run(CudaGemm.Mode mode, String variant) {
        String label() { return variant == null ? mode.name().toLowerCase() : "tf32:" + variant; }
    }

    @Override public Integer call() throws JsonProcessingException {
        if (listVariants) {
            CudaGemm.TF32_VARIANTS.forEach(System.out::println);
            return 0;
        }
        if (samples < 1) throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
        Backend backend = Backends.forName(device);
        CudaBackend cuda = backend instanceof CudaBackend ? (CudaBackend) backend : null;
        List<Run> runs = cuda == null ? List.of(new Run(CudaGemm.Mode.EXACT, null)) : runs(cuda);
        boolean checkErrors = runs.stream().anyMatch(r -> r.variant() != null);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("device", cuda == null ? "cpu" : cuda.device().toString());
        double peak = Double.NaN;
        if (cuda != null && cuda.device().computeMajor() >= 8) {
            peak = cuda.gemm().measureTf32PeakTflops();
            System.out.printf("mma.sync TF32 ceiling (registers only, all SMs): %.1f TFLOP/s on %s%n", peak, cuda.device());
            report.put("mma_tf32_peak_tflops", round(peak));
        }
        System.out.printf("%-28s %-24s %10s %10s %8s %9s %6s%n", "shape", "mode", "median ms", cuda == null ? "GFLOP/s" : "TFLOP/s",
                cuda == null ? "" : "/ceiling", checkErrors ? "err/exact" : "", checkErrors ? "blk/SM" : "");
        List<Map<String, Object>> results = new ArrayList<>();
        CudaGemm.Mode previous = cuda == null ? null : cuda.gemm().mode();
        String previousVariant = cuda == null ? null : cuda.gemm().tf32Variant();
        try {
            for (GemmShape s : GemmShape.MODEL) {
                Random r = new Random(42);
                Tensor a = Tensor.wrap(backend.upload(random(r, s.shapeA())), s.shapeA());
                Tensor b = Tensor.wrap(backend.upload(random(r, s.shapeB())), s.shapeB());
                double[] exact = null;
                if (checkErrors) {
                    cuda.gemm().setMode(CudaGemm.Mode.EXACT);
                    exact = backend.matmul(a, b, s.transA(), s.transB()).toDoubleArray();
                }
                for (Run run : runs) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("shape", s.name());
                    row.put("mode", cuda == null ? "cpu" : run.label());
                    try {
                        measure(backend, cuda, run, a, b, s, exact, peak, row);
                    } catch (RuntimeException e) {   // a variant that does not load or launch: report it, go on
                        row.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
                        System.out.printf("%-28s %-24s FAILED %s%n", s.name(), run.label(), row.get("error"));
                    }
                    results.add(row);
                }
            }
        } finally {
            if (cuda != null) {
                cuda.gemm().setMode(previous);
                cuda.gemm().setTf32Variant(previousVariant);
            }
        }
        report.put("results", results);
        if (checkErrors && !Double.isNaN(peak)) printBestVariants(results);
        System.out.println(new ObjectMapper().writeValueAsString(report));
        return 0;
    }

    /** Times one run on one shape into `row` and prints its line. */
    private void measure(Backend backend, CudaBackend cuda, Run run, Tensor a, Tensor b, GemmShape s, double[] exact, double peak,
                         Map<String, Object> row) {
        String err = "", blocks = "";
        if (cuda != null) {
            cuda.gemm().setMode(run.mode());
            if (run.variant() != null) {
                cuda.gemm().setTf32Variant(run.variant());
                double e = GradCheck.relativeError(backend.matmul(a, b, s.transA(), s.transB()).toDoubleArray(), exact);
                row.put("error_vs_exact", e);
                err = String.format("%.1e%s", e, e <= CudaGemm.TF32_TOLERANCE ? "" : "!");
                int perSm = cuda.gemm().tf32BlocksPerSm(run.variant(), s.transA(), s.transB());
                if (perSm > 0) {
                    row.put("blocks_per_sm", perSm);
                    blocks = Integer.toString(perSm);
                }
            }
        }
        double ms = medianMillis(backend, a, b, s);
        double tflops = s.flops() / (ms * 1e-3) / 1e12;
        row.put("ms", round(ms));
        row.put("gflops", round(tflops * 1e3));
        if (!Double.isNaN(peak)) row.put("ceiling_ratio", round(tflops / peak));
        System.out.printf("%-28s %-24s %10.4f %10.2f %8s %9s %6s%n", s.name(), row.get("mode"), ms, cuda == null ? tflops * 1e3 : tflops,
                Double.isNaN(peak) ? "" : String.format("%.1f%%", 100 * tflops / peak), err, blocks);
    }

    /** Per shape, the fastest TF32 variant whose error is within the bound. */
    private static void printBestVariants(List<Map<String, Object>> results) {
        System.out.println("fastest correct TF32 variant per shape:");
        Map<String, Map<String, Object>> best = new LinkedHashMap<>();
        for (Map<String, Object> row : results) {
            Object e = row.get("error_vs_exact");
            if (!(e instanceof Double err) || !(err <= CudaGemm.TF32_TOLERANCE) || !row.containsKey("gflops")) continue;
            Map<String, Object> current = best.get((String) row.get("shape"));
            if (current == null || (double) row.get("gflops") > (double) current.get("gflops")) best.put((String) row.get("shape"), row);
        }
        best.forEach((shape, row) -> System.out.printf("  %-28s %-24s %8.2f TFLOP/s %6.1f%%%n", shape, row.get("mode"),
                (double) row.get("gflops") / 1e3, 100 * (double) row.get("ceiling_ratio")));
    }

    private List<Run> runs(CudaBackend cuda) {
        List<CudaGemm.Mode> modes;
        if (!mode.equalsIgnoreCase("all")) {
            modes = List.of(CudaGemm.Mode.parse(mode));
        } else {
            modes = new ArrayList<>(List.of(CudaGemm.Mode.EXACT));
            if (cuda.device().computeMajor() >= 8) modes.add(CudaGemm.Mode.TF32);
            cuda.gemm().setMode(CudaGemm.Mode.CUBLAS);
            if (cuda.gemm().effectiveMode() == CudaGemm.Mode.CUBLAS) modes.add(CudaGemm.Mode.CUBLAS);   // logs once either way
        }
        List<Run> runs = new ArrayList<>();
        for (CudaGemm.Mode m : modes) {
            if (m != CudaGemm.Mode.TF32 || tf32Variants == null) runs.add(new Run(m, null));
            else for (String v : variants()) runs.add(new Run(m, v));
        }
        return runs;
    }

    private List<String> variants() {
        if (tf32Variants.trim().equalsIgnoreCase("all")) return CudaGemm.TF32_VARIANTS;
        List<String> names = Arrays.stream(tf32Variants.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
        for (String v : names) {
            if (!CudaGemm.TF32_VARIANTS.contains(v)) throw new IllegalArgumentException("unknown TF32 variant '" + v
                    + "' (expected all or some of " + String.join(", ", CudaGemm.TF32_VARIANTS) + ")");
        }
        return names;
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
