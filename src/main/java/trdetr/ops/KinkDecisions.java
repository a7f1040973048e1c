package trdetr.ops;

import java.util.ArrayList;
import java.util.List;
import trdetr.autograd.GradMode;
import trdetr.tensor.Tensor;

/**
 * Verification only: the branch decisions x &gt; 0 of ReLU and PReLU (their kinks), recorded in one forward and
 * imposed, where they are near-ties, in another.
 *
 * <p>Why: a pre-activation within float32 rounding of zero (|x| ≈ 3e-7 against an RMS of 0.6, say) takes either
 * branch depending on the order in which a float32 sum was rounded. The value hardly changes (0.25·x against x), but
 * the gradient through that element does (by 0.75·g for PReLU, by g for ReLU), and it flows into every parameter
 * upstream: one such element moves those gradients by 1e-4 to 1e-3 relative. Any float32 implementation does this on
 * some batches, the official code included; the float64 answer decides each kink as exact arithmetic does. To compare
 * a float32 gradient with the float64 answer, the verifier records the float64 decisions and imposes them on the
 * float32 run, but only where the float32 decision differs and the float64 pre-activation is within
 * {@code band}·RMS of zero. A difference outside that band is a real disagreement and is counted as such.
 *
 * <p>Calls are matched by order: both runs must execute the same graph. Inactive (the normal case), every ReLU and
 * PReLU decides by its own x &gt; 0 and the cost is one thread-local read per call.
 */
public final class KinkDecisions implements AutoCloseable {
    private static final ThreadLocal<KinkDecisions> CURRENT = new ThreadLocal<>();

    /** One recorded call: the op and its pre-activations. */
    private record Call(String op, double[] x) {}

    private final List<Call> reference;   // null while recording
    private final double band;
    private final List<Call> recorded = new ArrayList<>();
    private final List<String> nearTies = new ArrayList<>(), disagreements = new ArrayList<>();
    private int call;

    private KinkDecisions(List<Call> reference, double band) {
        if (CURRENT.get() != null) throw new IllegalStateException("a KinkDecisions session is already active on this thread");
        this.reference = reference;
        this.band = band;
        CURRENT.set(this);
    }

    /** Records the pre-activations of every ReLU/PReLU call on this thread until closed. */
    public static KinkDecisions record() { return new KinkDecisions(null, 0); }

    /** Imposes {@code recorded}'s decisions where ours differ within band·RMS of zero, until closed. */
    public static KinkDecisions impose(KinkDecisions recorded, double band) { return new KinkDecisions(recorded.recorded, band); }

    /** Imposed decisions, one line each: call, element, the reference pre-activation and ours. */
    public List<String> nearTies() { return List.copyOf(nearTies); }

    /**
     * Decisions that differ outside the band, and calls that do not line up with the recording (another op, another
     * size, fewer or more calls): real disagreements.
     */
    public List<String> disagreements() {
        List<String> all = new ArrayList<>(disagreements);
        if (reference != null && call != reference.size()) {
            all.add(call + " ReLU/PReLU calls here, " + reference.size() + " recorded: the two runs are not the same graph");
        }
        return all;
    }

    @Override public void close() { if (CURRENT.get() == this) CURRENT.remove(); }

    /**
     * The branch mask of x (1 where the positive branch is taken) when a decision is imposed on this call, else null
     * (the op then uses x &gt; 0 itself). Called by ReLU and PReLU in their forward; calls that record no gradient (a
     * loss kernel's internal ReLU under no-grad, say) are neither recorded nor imposed, since no gradient follows them.
     */
    static Tensor decide(String op, Tensor x) {
        KinkDecisions session = CURRENT.get();
        if (session == null || !GradMode.isEnabled() || !x.requiresGrad()) return null;
        return session.decideInSession(op, x);
    }

    private Tensor decideInSession(String op, Tensor x) {
        double[] ours = x.detach().toDoubleArray();
        int index = call++;
        if (reference == null) {
            recorded.add(new Call(op, ours));
            return null;
        }
        if (index >= reference.size() || !reference.get(index).op().equals(op) || reference.get(index).x().length != ours.length) {
            disagreements.add(op + " call " + index + ": no recorded " + op + " call of " + ours.length + " elements to match");
            return null;
        }
        double[] want = reference.get(index).x();
        double rms = 0;
        for (double v : want) rms += v * v;
        rms = Math.sqrt(rms / Math.max(1, want.length));
        double[] mask = new double[ours.length];
        boolean imposed = false;
        for (int i = 0; i < ours.length; i++) {
            boolean mine = ours[i] > 0, theirs = want[i] > 0;
            mask[i] = mine ? 1 : 0;
            if (mine == theirs) continue;
            String where = String.format("%s call %d element %d: reference %.3e, ours %.3e (RMS %.2e)", op, index, i, want[i], ours[i], rms);
            if (Math.abs(want[i]) <= band * rms) {
                mask[i] = theirs ? 1 : 0;
                nearTies.add(where);
                imposed = true;
            } else {
                disagreements.add(where);
            }
        }
        return imposed ? Tensor.of(mask, x.shape()).to(x.backend()).to(x.dtype()) : null;
    }
}
