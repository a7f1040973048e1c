package trdetr.ops;

import java.util.ArrayList;
import java.util.List;
import trdetr.autograd.Autograd;
import trdetr.autograd.GradMode;
import trdetr.backend.Backend.FixedFactor;
import trdetr.backend.Backend.GruStep;
import trdetr.backend.Backend.GruStepGrads;
import trdetr.tensor.Tensor;

/**
 * A GRU over a whole sequence as one op with a hand-written backward through time. Recorded step by step, the
 * sequence would slice the precomputed input projection once per step, and every slice's gradient would be a
 * full-size tensor summed into the others: quadratic in the length. Here the backward collects the per-step
 * gradients and does the weight products once. torch.nn.GRU semantics, gate order (r, z, n):
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h. The gates of a step, forward and
 * backward, are one backend call each ({@link trdetr.backend.Backend#gruGates}), fused on devices that can; the hidden
 * weight, the right operand of every step's product, is prepared once for the whole sequence
 * ({@link trdetr.backend.Backend#fixedFactor}: the CPU packs it once instead of at each step).
 */
public final class Recurrent {
    private Recurrent() {}

    /** x (B, L, in), h0 (B, H); weights (3H, in), (3H, H), biases (3H) → all hidden states (B, L, H). */
    public static Tensor gru(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        int b = x.size(0), steps = x.size(1), hidden = wHh.size(1);
        List<Tensor> r = new ArrayList<>(steps), z = new ArrayList<>(steps), n = new ArrayList<>(steps);
        List<Tensor> ghn = new ArrayList<>(steps), hPrev = new ArrayList<>(steps), hs = new ArrayList<>(steps);
        Tensor out;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor gi = LinearAlgebra.linear(x, wIh, bIh);                                   // every step's input part
            FixedFactor hiddenProjection = x.backend().fixedFactor(wHh.detach().contiguous(), bHh.detach().contiguous(), true);
            Tensor h = h0;
            for (int t = 0; t < steps; t++) {
                Tensor gh = hiddenProjection.times(h);
                GruStep step = x.backend().gruGates(gi.select(1, t), gh, h);
                hPrev.add(h);
                h = step.h();
                r.add(step.r()); z.add(step.z()); n.add(step.n()); ghn.add(gh.slice(1, 2 * hidden, 3 * hidden)); hs.add(h);
            }
            out = steps == 0 ? Tensor.zeros(x.backend(), x.dtype(), b, 0, hidden) : Tensor.stack(hs, 1);
        }
        return Autograd.record("gru", out, (g, needs) -> {
            List<Tensor> dGi = new ArrayList<>(steps), dGh = new ArrayList<>(steps);
            // The gradient reaching h_t arrives by two paths from step t + 1 (direct, and through its hidden
            // projection) plus the output's own; the gates kernel adds them, so a step is one matmul and one launch.
            Tensor carry = Tensor.zerosLike(h0), viaHidden = carry;
            FixedFactor throughHidden = h0.backend().fixedFactor(wHh.detach().contiguous(), null, false);
            for (int t = steps - 1; t >= 0; t--) {
                GruStepGrads d = h0.backend().gruGatesBackward(carry, viaHidden, g.select(1, t), hPrev.get(t), r.get(t), z.get(t), n.get(t), ghn.get(t));
                dGi.add(d.dgi());
                dGh.add(d.dgh());
                carry = d.dhDirect();
                viaHidden = throughHidden.times(d.dgh());
            }
            java.util.Collections.reverse(dGi);
            java.util.Collections.reverse(dGh);
            Tensor gi = Tensor.stack(dGi, 1).reshape(b * steps, 3 * hidden);                 // (B·L, 3H)
            Tensor gh = Tensor.stack(dGh, 1).reshape(b * steps, 3 * hidden);
            // The previous states are h0 then the outputs but the last: two copies rather than one per step.
            Tensor prev = Tensor.cat(List.of(h0.unsqueeze(1), out.slice(1, 0, steps - 1)), 1).reshape(b * steps, hidden);
            Tensor xs = x.reshape(b * steps, x.size(2));
            return new Tensor[] {
                needs[0] ? gi.matmul(wIh).reshape(x.shape()) : null,
                needs[1] ? carry.add(viaHidden) : null,
                needs[2] ? gi.matmul(xs, true, false) : null,
                needs[3] ? gh.matmul(prev, true, false) : null,
                needs[4] ? gi.sum(0, false) : null,
                needs[5] ? gh.sum(0, false) : null};
        }, x, h0, wIh, wHh, bIh, bHh);
    }
}
