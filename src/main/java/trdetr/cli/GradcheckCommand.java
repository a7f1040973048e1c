package trdetr.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trdetr.backend.Backend;
import trdetr.backend.Backends;
import trdetr.backend.cpu.CpuBackend;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaGemm;
import trdetr.opcheck.CheckResult;
import trdetr.opcheck.CudaGemmCheck;
import trdetr.opcheck.DeviceCheck;
import trdetr.opcheck.GradCheck;
import trdetr.opcheck.OpCase;
import trdetr.opcheck.OpCases;

/** Finite-difference gradient checks of every differentiable op. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = "Check every differentiable op: float64 gradients against central differences, float32 against float64.")
final class GradcheckCommand implements Callable<Integer> {
    @Option(names = "--seed", description = "Seed for shapes and values (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    /**
     * Unlike the other commands (default auto), cpu by default: the CPU's float64 finite-difference checks are the
     * CI check and must not turn into a device comparison just because a GPU is present.
     */
    @Option(names = "--device", paramLabel = "cpu|cuda|auto", description = "cpu: float64 central differences and float32 against float64; "
            + "cuda: every op on the GPU against the CPU backend, forward and backward; auto: cuda when a usable GPU is present, "
            + "else cpu (default: ${DEFAULT-VALUE}, the CI check).")
    String device = "cpu";

    @Option(names = "--op", description = "Only cases whose name contains this text.")
    String filter;

    @Override public Integer call() {
        Backend backend = Backends.forName(device);
        boolean onDevice = !(backend instanceof CpuBackend);
        if (onDevice) {
            System.out.println("checking the " + backend.name() + " backend against the cpu backend"
                    + (backend instanceof CudaBackend ? " on " + ((CudaBackend) backend).device() : ""));
            if (backend instanceof CudaBackend) ((CudaBackend) backend).setPoison(true);
        }
        List<Supplier<CheckResult>> checks = new ArrayList<>();                        // run lazily: one line per check as it ends
        for (OpCase c : OpCases.all()) {
            if (selected(c.name())) checks.add(() -> onDevice ? DeviceCheck.check(c, seed, backend) : GradCheck.check(c, seed));
        }
        if (backend instanceof CudaBackend cuda) {                                     // the GPU GEMM modes
            for (CudaGemmCheck.Case c : CudaGemmCheck.CASES) if (selected(c.name())) checks.add(() -> CudaGemmCheck.check(cuda, c, seed));
            for (String v : CudaGemm.TF32_VARIANTS) {                                  // each TF32 kernel variant, case by case
                for (CudaGemmCheck.Case c : CudaGemmCheck.CASES) {
                    if (selected(CudaGemmCheck.variantName(c, v))) checks.add(() -> CudaGemmCheck.checkVariant(cuda, c, v, seed));
                }
            }
        }
        int failed = 0;
        for (Supplier<CheckResult> check : checks) {
            CheckResult r = check.get();
            System.out.println(r.line());
            if (!r.passed()) failed++;
        }
        System.out.println(checks.size() + " ops checked, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    private boolean selected(String name) { return filter == null || name.contains(filter); }
}
