package trdetr.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Option(names = "--weights", description = "Weights to use instead of the reference's own: a torch.save checkpoint or state_dict, a .safetensors state_dict, or a trdetr checkpoint.")
    Path weights;

    @Mixin DeviceOption device;

    @Option(names = "--all", description = "Print every comparison, not only failures and a summary per kind.")
    boolean all;

    @Override public Integer call() throws Exception {
        requireFile(reference, "--reference");
        device.use();
        Reference ref = Reference.load(reference);
        Map<String, Tensor> w = weights == null ? null : trdetr.train.Checkpoint.readWeights(requireFile(weights, "--weights"));
        Verifier.Report report = Verifier.run(ref, weights, w);
        for (Verifier.Check c : report.checks()) {
            if (all || !c.passed() || !c.kind().startsWith("act")) System.out.println(c.line());
        }
        String precision = report.dtype() == trdetr.tensor.DType.FLOAT64 ? "float64" : "float32";
        System.out.println("reference: the official code in " + precision + (ref.officialFloat32() != null ? " and in float32" : "")
                + "; ours in " + precision + (ref.officialFloat32() != null ? " and in float32" : ""));
        for (String kind : new String[] {"act", "out", "loss", "grad"}) {
            var ofKind = report.checks().stream().filter(c -> c.kind().equals(kind)).toList();
            double worst = ofKind.stream().filter(c -> !c.nearZero()).mapToDouble(Verifier.Check::error).max().orElse(0);
            long nearZero = ofKind.stream().filter(Verifier.Check::nearZero).count();
            System.out.printf("%-11s %4d compared, worst relative error %.2e (tolerance %.0e)%s%n", LABELS.get(kind) + ":", ofKind.size(), worst,
                    Verifier.tolerance(kind, report.dtype()), nearZero > 0 ? ", " + nearZero + " zero in exact arithmetic and ≈0 in both" : "");
        }
        for (String kind : new String[] {"act32", "out32", "loss32", "grad32"}) {
            var ofKind = report.checks().stream().filter(c -> c.kind().equals(kind) && c.problem() == null).toList();
            if (ofKind.isEmpty()) continue;
            var worst = ofKind.stream().filter(c -> !c.nearZero()).max(java.util.Comparator.comparingDouble(Verifier.Check::error));
            double ratio = ofKind.stream().mapToDouble(c -> c.error() / c.tolerance()).max().orElse(0);
            System.out.printf("%-11s %4d compared with the float64 answer, worst %s; closest to its bound at %.2f of it%n",
                    LABELS.get(kind.substring(0, kind.length() - 2)) + "/f32:", ofKind.size(),
                    worst.map(c -> String.format("ours %.2e, official float32 %.2e", c.error(), c.officialError())).orElse("-"), ratio);
        }
        var decisions = report.checks().stream().filter(c -> c.kind().equals("mr2hd")).toList();
        if (!decisions.isEmpty()) {
            long ties = Verifier.nearTies(decisions);
            long same = decisions.stream().filter(Verifier.Check::passed).count() - ties;
            System.out.printf("%-11s %4d decisions, %d as the reference, %d near-ties (imposed from the reference for the "
                    + "comparisons after MR2HD)%n", "MR2HD:", decisions.size(), same, ties);
        }
        var kinks = report.checks().stream().filter(c -> c.kind().equals("kink")).toList();
        if (report.checks().stream().anyMatch(c -> c.kind().equals("grad32"))) {
            System.out.printf("%-11s %4d float32 near-ties of ReLU/PReLU (float64 pre-activation within %.0e of the RMS) "
                    + "took the float64 branch, %d took the other branch outside that band%n", "kinks:",
                    kinks.stream().filter(Verifier.Check::passed).count(), Verifier.KINK_TIE, kinks.stream().filter(c -> !c.passed()).count());
        }
        if (!report.activationsWithoutCounterpart().isEmpty()) {
            System.out.println("not compared (no counterpart here): " + String.join(", ", report.activationsWithoutCounterpart()));
        }
        if (report.firstFailingLayer() != null) System.out.println("first layer over tolerance: " + report.firstFailingLayer());
        System.out.println(report.checks().size() + " checked, " + report.failures() + " failed");
        return report.failures() == 0 ? 0 : 1;
    }

    private static final Map<String, String> LABELS = Map.of("act", "layers", "out", "outputs", "loss", "losses", "grad", "gradients");

    static Path requireFile(Path p, String option) {
        if (!Files.isRegularFile(p)) throw new UserError(option + " " + p + ": no such file");
        return p;
    }
}
