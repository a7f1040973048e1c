package trdetr.nn;

import trdetr.ops.Recurrent;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * One-layer, batch-first torch.nn.GRU. Gates are stored in the order (r, z, n):
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 */
public final class GRU extends Module {
    public final Tensor weightIh;
    public final Tensor weightHh;
    public final Tensor biasIh;
    public final Tensor biasHh;
    public GRU(int input, int hidden, Generator gen, DType dtype) {
        double bound = 1.0 / Math.sqrt(hidden);
        this.weightIh = parameter("weight_ih_l0", Init.uniform(gen, dtype, bound, 3 * hidden, input));
        this.weightHh = parameter("weight_hh_l0", Init.uniform(gen, dtype, bound, 3 * hidden, hidden));
        this.biasIh = parameter("bias_ih_l0", Init.uniform(gen, dtype, bound, 3 * hidden));
        this.biasHh = parameter("bias_hh_l0", Init.uniform(gen, dtype, bound, 3 * hidden));
    }

    /** Runs x (B, L, input) from h0 (B, hidden), or zeros when null; returns {output (B, L, hidden), h_L (B, hidden)}. */
    public Tensor[] forward(Tensor x, Tensor h0) {
        Tensor[] r = run(x, h0, weightIh, weightHh, biasIh, biasHh);
        emit(new Tensor[] {r[0], r[1].unsqueeze(0)}); // recorded as torch returns it: (output, h_n of shape (1, B, H))
        return r;
    }

    /** The GRU recurrence as a function of its weights (what {@link #forward} runs; gradient checks call it directly). */
    public static Tensor[] run(Tensor x, Tensor h0, Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh) {
        if (x.rank() != 3 || x.size(2) != weightIh.size(1)) {
            throw new IllegalArgumentException("gru: input must be (batch, length, " + weightIh.size(1) + "), got " + trdetr.tensor.Shape.str(x.shape()));
        }
        int b = x.size(0), steps = x.size(1), hidden = weightHh.size(1);
        Tensor h = h0 != null ? h0 : Tensor.zeros(x.backend(), x.dtype(), b, hidden);
        Tensor out = Recurrent.gru(x, h, weightIh, weightHh, biasIh, biasHh);
        return new Tensor[] {out, steps == 0 ? h : out.select(1, steps - 1)};
    }
}
