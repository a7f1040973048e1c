package trdetr.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trdetr.backend.Backend;
import trdetr.backend.Backends;
import trdetr.backend.cpu.CpuBackend;
import trdetr.backend.cuda.CudaBackend;
import trdetr.gradcheck.CudaGemmCheck;
import trdetr.gradcheck.DeviceCheck;
import trdetr.gradcheck.GradCheck;
import trdetr.gradcheck.OpCase;
import trdetr.gradcheck.OpCases;

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
        List<OpCase> cases = OpCases.all();
        int checked = 0, failed = 0;
        for (OpCase c : cases) {
            if (filter != null && !c.name().contains(filter)) continue;
            String line;
            boolean passed;
            if (onDevice) {
                DeviceCheck.Result r = DeviceCheck.check(c, seed, backend);
                line = r.line();
                passed = r.passed();
            } else {
                GradCheck.Result r = GradCheck.check(c, seed);
                line = r.line();
                passed = r.passed();
            }
            System.out.println(line);
            checked++;
            if (!passed) failed++;
        }
        if (backend instanceof CudaBackend && (filter == null || "gemm".contains(filter) || filter.contains("gemm"))) {
            for (CudaGemmCheck.Result r : CudaGemmCheck.run((CudaBackend) backend, seed)) {   // the GEMM modes
                System.out.println(r.line());
                checked++;
                if (!r.passed()) failed++;
            }
        }
        System.out.println(checked + " ops checked, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
