package trdetr.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trdetr.tensor.Tensor;
import trdetr.verify.Reference;
import trdetr.verify.Verifier;

/** Compares our model, loss and gradients with a reference written from the official code. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Run the model on a reference batch (tools/export_reference.py) and compare every layer, output, loss and gradient.")
final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--reference", required = true, description = "Reference .npz from tools/export_reference.py.")
    Path reference;

    @Option(names = "--weights", description = "Weights to use instead of the reference's own: a torch.save checkpoint (.ckpt/.pth/.pt) or .safetensors.")
    Path weights;

    @Option(names = "--all", description = "Print every comparison, not only failures and a summary per kind.")
    boolean all;

    @Override public Integer call() throws Exception {
        requireFile(reference, "--reference");
        Reference ref = Reference.load(reference);
        Map<String, Tensor> w = weights == null ? null : WeightFiles.read(requireFile(weights, "--weights"));
        Verifier.Report report = Verifier.run(ref, w);
        for (Verifier.Check c : report.checks()) {
            if (all || !c.passed() || !c.kind().equals("act")) System.out.println(c.line());
        }
        long acts = report.checks().stream().filter(c -> c.kind().equals("act")).count();
        double worstAct = report.checks().stream().filter(c -> c.kind().equals("act")).mapToDouble(Verifier.Check::error).max().orElse(0);
        System.out.printf("%d layer activations compared (worst %.2e)%s%n", acts, worstAct,
                report.activationsWithoutCounterpart().isEmpty() ? ""
                        : "; not compared (no counterpart here): " + String.join(", ", report.activationsWithoutCounterpart()));
        if (report.firstFailingLayer() != null) System.out.println("first layer over tolerance: " + report.firstFailingLayer());
        System.out.println(report.checks().size() + " checked, " + report.failures() + " failed");
        return report.failures() == 0 ? 0 : 1;
    }

    static Path requireFile(Path p, String option) {
        if (!Files.isRegularFile(p)) throw new UserError(option + " " + p + ": no such file");
        return p;
    }
}
