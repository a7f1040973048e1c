package trdetr.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trdetr.gradcheck.GradCheck;
import trdetr.gradcheck.OpCase;
import trdetr.gradcheck.OpCases;

/** Finite-difference gradient checks of every differentiable op. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = "Check every differentiable op: float64 gradients against central differences, float32 against float64.")
final class GradcheckCommand implements Callable<Integer> {
    @Option(names = "--seed", description = "Seed for shapes and values (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--device", description = "cpu (the CUDA backend comes with its own issue).")
    String device = "cpu";

    @Option(names = "--op", description = "Only cases whose name contains this text.")
    String filter;

    @Override public Integer call() {
        if (!device.equals("cpu")) throw new UserError("--device " + device + ": only the cpu backend exists in this build");
        List<OpCase> cases = OpCases.all();
        int checked = 0, failed = 0;
        for (OpCase c : cases) {
            if (filter != null && !c.name().contains(filter)) continue;
            GradCheck.Result r = GradCheck.check(c, seed);
            System.out.println(r.line());
            checked++;
            if (!r.passed()) failed++;
        }
        System.out.println(checked + " ops checked, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
