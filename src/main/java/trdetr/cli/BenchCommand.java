package trdetr.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code trdetr bench <what>}: performance measurements (the numbers behind the README's performance claims). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: `bench gemm` times matrix products, `bench step` whole training steps and forward passes, `bench clip` CLIP frames and queries per second.",
        subcommands = {BenchGemmCommand.class, BenchStepCommand.class, BenchClipCommand.class})
final class BenchCommand implements Runnable {
    @Override public void run() { CommandLine.usage(this, System.out); }
}
