package trdetr.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import trdetr.io.TorchCheckpoint;
import trdetr.model.TrDetrConfig;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** Our model, loss and gradients against the official code's, on the fixtures of src/test/reference (see its README.md). */
class VerifierTest {
    static final Path REFERENCES = Path.of("src/test/reference");

    /** The one fixture too big to commit (src/test/reference/.gitignore): its test skips where it is absent. */
    private static final String UNCOMMITTED = "reference_released_arch.npz";

    private static Reference load(String name) throws Exception {
        Path file = REFERENCES.resolve(name);
        if (name.equals(UNCOMMITTED)) assumeTrue(Files.exists(file), name + " is not here (tools/make_fixtures.sh ... all makes it)");
        return Reference.load(file);
    }

    static void assertAllPass(Verifier.Report report) {
        assertThat(report.checks().stream().filter(c -> !c.passed()).map(Verifier.Check::line)).isEmpty();
        assertThat(report.activationsWithoutCounterpart()).isEmpty();
        assertThat(report.checks().stream().filter(c -> c.kind().equals("grad")).count()).isGreaterThan(100);
        assertThat(report.checks().stream().filter(c -> c.kind().equals("act")).count()).isGreaterThan(100);
        assertThat(report.checks().stream().filter(c -> c.kind().equals("mr2hd")).count()).as("MR2HD decisions").isPositive();
    }

    /** MR2HD's argmax: the reference's query, or one within the tie bound of it, passes; a clear disagreement fails. */
    @Test
    void mr2hdDecisionsPassOnlyWhenEqualOrTied() {
        // two samples, three queries; foreground logit minus background logit sets the probability
        float[] logits = {0.3f, 0f, 0.3000001f, 0f, -1f, 0f, 2f, 0f, 0f, 0f, 1f, 0f};
        trdetr.model.TrDetrOutput out = new trdetr.model.TrDetrOutput(Tensor.of(logits, 2, 3, 2), null, null, java.util.List.of(), null, null, null, null, null, null);
        assertThat(Verifier.mr2hdDecisions("mr2hd", new long[] {1, 0}, new long[] {0, 0}, out, Verifier.mr2hdTie(trdetr.tensor.DType.FLOAT32))).allMatch(Verifier.Check::passed);  // tie, same
        assertThat(Verifier.mr2hdDecisions("mr2hd", new long[] {0, 2}, new long[] {0, 0}, out, Verifier.mr2hdTie(trdetr.tensor.DType.FLOAT32)).get(1).passed()).isFalse();        // 0.88 vs 0.73
    }

    /** verify's summary counts a near-tie by the other pick, also where the two queries tie exactly (gap 0). */
    @Test
    void nearTiesAreCountedByThePickEvenAtAnExactTie() {
        float[] logits = {0.5f, 0f, 0.5f, 0f, -1f, 0f, 2f, 0f, 0f, 0f, 1f, 0f};    // sample 0: queries 0 and 1 tie exactly
        trdetr.model.TrDetrOutput out = new trdetr.model.TrDetrOutput(Tensor.of(logits, 2, 3, 2), null, null, java.util.List.of(), null, null, null, null, null, null);
        var decisions = Verifier.mr2hdDecisions("mr2hd", new long[] {1, 0}, new long[] {0, 0}, out, Verifier.mr2hdTie(trdetr.tensor.DType.FLOAT32));
        assertThat(decisions).allMatch(Verifier.Check::passed);
        assertThat(decisions.get(0).error()).as("an exact tie").isZero();
        assertThat(Verifier.nearTies(decisions)).isEqualTo(1);
        assertThat(Verifier.nearTies(decisions.subList(1, 2))).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference_small.npz", "reference_dec1.npz", "reference_audio.npz", UNCOMMITTED})
    void everyActivationOutputLossAndGradientMatchesTheOfficialCode(String fixture) throws Exception {
        assertAllPass(Verifier.run(load(fixture), null));
    }

    /**
     * The float64 fixtures (tools/make_fixtures.sh ... parity): ours in float64 against the official code in float64,
     * every layer, output, loss term and gradient to 1e-9, and ours in float32 no further from that answer than
     * 10 × the official float32 code (or 1e-5).
     */
    @ParameterizedTest
    @ValueSource(strings = {"parity_w4868_audio.npz", "parity_dec1_h4_q3.npz", "parity_layers3_noaux.npz", "parity_b1_layers4.npz"})
    void float64ParityAndFloat32NoFurtherFromItThanTheOfficialFloat32(String fixture) throws Exception {
        Verifier.Report report = Verifier.run(Reference.load(REFERENCES.resolve(fixture)), null);
        assertThat(report.dtype()).isEqualTo(DType.FLOAT64);
        assertAllPass(report);
        assertThat(report.checks().stream().filter(c -> c.kind().equals("grad32")).count()).isGreaterThan(100);
        assertThat(report.checks().stream().filter(c -> c.kind().equals("act32")).count()).isGreaterThan(100);
        assertThat(report.checks().stream().filter(c -> c.kind().equals("grad")).allMatch(c -> c.nearZero() || c.tolerance() == Verifier.TOL_FLOAT64)).isTrue();
    }

    /**
     * A change far below float32 rounding (one bias scaled by 1 + 2⁻²⁰, about 1e-6) fails the float64 comparison,
     * whose bound is 1e-9; the float32 comparisons, loose by nature, cannot see it.
     */
    @Test
    void aDeviationBelowFloat32RoundingFailsInFloat64() throws Exception {
        Reference ref = Reference.load(REFERENCES.resolve("parity_dec1_h4_q3.npz"));
        Map<String, Tensor> weights = new LinkedHashMap<>(ref.weights());
        String key = "transformer.encoder.layers.0.linear2.bias";
        weights.put(key, weights.get(key).mul(1 + Math.scalb(1.0, -20)));
        Verifier.Report report = Verifier.run(ref, weights);
        assertThat(report.checks().stream().filter(c -> c.kind().equals("grad") && !c.passed()).count()).isGreaterThan(10);
        assertThat(report.firstFailingLayer()).isEqualTo("transformer.encoder.layers.0.linear2#0");
        assertThat(report.checks().stream().filter(c -> c.kind().equals("grad32"))).as("float32 cannot see it").allMatch(Verifier.Check::passed);
    }

    @Test
    void theOfficialCheckpointGivesTheSameModel() throws Exception {
        Reference ref = load("reference_small.npz");
        TorchCheckpoint.Checkpoint ckpt = TorchCheckpoint.read(REFERENCES.resolve("reference_small.ckpt"));
        assertThat(TrDetrConfig.fromCheckpoint(ckpt.opt(), ckpt.stateDict())).isEqualTo(Verifier.configOf(ref));
        assertAllPass(Verifier.run(ref, ckpt.stateDict()));
    }

    @Test
    void aWrongWeightIsCaughtAndItsFirstLayerNamed() throws Exception {
        Reference ref = load("reference_small.npz");
        Map<String, Tensor> weights = new LinkedHashMap<>(ref.weights());
        String key = "transformer.encoder.layers.0.linear2.bias";
        weights.put(key, weights.get(key).add(1e-3)); // a small shift in the middle of the network
        Verifier.Report report = Verifier.run(ref, weights);
        assertThat(report.failures()).isGreaterThan(0);
        assertThat(report.firstFailingLayer()).isEqualTo("transformer.encoder.layers.0.linear2#0");
    }

    /**
     * Entries deleted from a reference (an activation, an output, a loss term) or an act_order naming a layer the file
     * does not hold are failures, each named, not comparisons silently skipped.
     */
    @Test
    void aReferenceWithEntriesMissingFails() throws Exception {
        Reference full = Reference.load(REFERENCES.resolve("parity_dec1_h4_q3.npz"));
        Reference.Run official = full.official();
        String keptInOrder = "transformer.encoder.layers.0.linear2#0", removed = "transformer.encoder.layers.0.linear1#0";
        Map<String, Tensor> acts = new LinkedHashMap<>(official.activations()), outs = new LinkedHashMap<>(official.outputs());
        Map<String, Double> losses = new LinkedHashMap<>(official.losses());
        assertThat(acts.remove(keptInOrder)).isNotNull();
        assertThat(acts.remove(removed)).isNotNull();
        assertThat(outs.remove("pred_spans")).isNotNull();
        assertThat(losses.remove("loss_saliency")).isNotNull();
        java.util.List<String> order = new java.util.ArrayList<>(full.activationOrder());
        order.remove(removed);
        order.add("no.such.layer#0");
        Reference cut = new Reference(full.file(), full.config(), full.weights(), full.inputs(),
                new Reference.Run(outs, losses, official.grads(), acts), full.officialFloat32(), order, full.samples());

        Verifier.Report report = Verifier.run(cut, null);
        assertThat(report.checks().stream().filter(c -> !c.passed()).map(c -> c.kind() + " " + c.name() + ": " + c.problem())).containsExactlyInAnyOrder(
                "act " + keptInOrder + ": named in meta.act_order, but the reference has no act." + keptInOrder,
                "act no.such.layer#0: named in meta.act_order, but the reference has no act.no.such.layer#0",
                "act " + removed + ": recorded by ours; the reference has no act." + removed,
                "out pred_spans: the reference has no out.pred_spans",
                "loss loss_saliency: the reference has no loss.loss_saliency");
    }
}
