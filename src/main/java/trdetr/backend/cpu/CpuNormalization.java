package trdetr.backend.cpu;

import static trdetr.backend.cpu.CpuTensors.empty;
import static trdetr.backend.cpu.CpuTensors.f32;
import static trdetr.backend.cpu.CpuTensors.f64;
import static trdetr.backend.cpu.CpuTensors.packed;

import java.util.Arrays;
import trdetr.backend.Backend.LayerNormGrads;
import trdetr.backend.Backend.LayerNormResult;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * Softmax, log-softmax and layer norm over the last axis, forward and backward, as kernels/normalization.cu on the
 * GPU. Rows are independent: each row's sums run whole, in one fixed order ({@link #sum}), on one thread, so
 * splitting rows over threads leaves every result bit-identical. The softmax forward has a float32 loop of its own
 * (exponentials by {@link DoubleExp}); the rest runs in double through {@link DoubleView}.
 */
final class CpuNormalization {
    private CpuNormalization() {}

    static Tensor softmax(Tensor x, boolean log) {
        Tensor in = packed(x);
        Tensor out = empty(x.dtype(), x.shape());
        int n = x.size(-1), rows = n == 0 ? 0 : x.numel() / n;
        if (x.dtype() == DType.FLOAT32) {
            float[] a = f32(in), y = f32(out);
            Parallel.forRange(rows, n, (r0, r1) -> {
                double[] exps = log ? null : new double[n];   // each exp once: the sum's terms are the outputs' numerators
                for (int r = r0; r < r1; r++) {
                    if (log) logSoftmaxRow(a, r * n, y, r * n, n);
                    else softmaxRow(a, r * n, y, r * n, n, exps);
                }
            });
        } else {
            double[] a = f64(in), y = f64(out);
            Parallel.forRange(rows, n, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int o = r * n;
                    double m = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) m = Math.max(m, a[o + j]);
                    if (m == Double.NEGATIVE_INFINITY) { Arrays.fill(y, o, o + n, log ? m : 0.0); continue; }
                    double s = 0;
                    for (int j = 0; j < n; j++) { double e = Math.exp(a[o + j] - m); y[o + j] = e; s += e; }
                    if (log) { double ls = Math.log(s); for (int j = 0; j < n; j++) y[o + j] = a[o + j] - m - ls; }
                    else { for (int j = 0; j < n; j++) y[o + j] /= s; }
                }
            });
        }
        return out;
    }

    /**
     * y[yo..yo+n) = softmax(a[ao..ao+n)) in float32 from double terms: e^(a − max) (the difference in float, as
     * torch) by {@link DoubleExp} (vector lanes where the Vector API is on, the same bits either way), their
     * {@link #sum}, and each output rounded once from e·(1/Σ). A row of -inf only gives zeros. e (at least n long) is
     * scratch. Shared with the fused attention ({@link CpuAttention}), so both give the same bits.
     */
    static void softmaxRow(float[] a, int ao, float[] y, int yo, int n, double[] e) { softmaxRow(a, ao, y, yo, n, n, e); }

    /**
     * {@link #softmaxRow(float[], int, float[], int, int, double[])} of a row whose entries from {@code live} on are
     * -inf (masked keys): the same bits, without their exponentials. Each is exactly +0 (e^-inf), so its term of the
     * four-part {@link #sum} and its output are set to zero directly; the sum still runs over all n, every term in its
     * usual partial sum.
     */
    static void softmaxRow(float[] a, int ao, float[] y, int yo, int n, int live, double[] e) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < live; j++) m = Math.max(m, a[ao + j]);
        if (m == Float.NEGATIVE_INFINITY) { Arrays.fill(y, yo, yo + n, 0f); return; }
        for (int j = 0; j < live; j++) e[j] = a[ao + j] - m;
        if (VectorLoopGates.LOOPS) VectorLoops.exp(e, live);
        else DoubleExp.exp(e, live);
        Arrays.fill(e, live, n, 0.0);
        double inv = 1.0 / sum(e, n);
        for (int j = 0; j < live; j++) y[yo + j] = (float) (e[j] * inv);
        Arrays.fill(y, yo + live, yo + n, 0f);
    }

    private static void logSoftmaxRow(float[] a, int ao, float[] y, int yo, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) m = Math.max(m, a[ao + j]);
        if (m == Float.NEGATIVE_INFINITY) { Arrays.fill(y, yo, yo + n, m); return; }
        double s = 0;
        for (int j = 0; j < n; j++) s += Math.exp(a[ao + j] - m);
        float ls = (float) Math.log(s);
        for (int j = 0; j < n; j++) y[yo + j] = a[ao + j] - m - ls;
    }

    static Tensor softmaxBackward(Tensor y, Tensor gy, boolean log) {
        Tensor out = empty(y.dtype(), y.shape());
        int n = y.size(-1), rows = n == 0 ? 0 : y.numel() / n;
        DoubleView ys = DoubleView.of(packed(y)), gs = DoubleView.of(packed(gy)), dx = DoubleView.of(out);
        Parallel.forRange(rows, n, (r0, r1) -> {
            double[] yr = new double[n], gr = new double[n];
            for (int r = r0; r < r1; r++) {
                ys.read(r * n, n, yr);
                gs.read(r * n, n, gr);
                double s = 0;
                // softmax: dx = y·(g − Σ g·y); log-softmax: dx = g − exp(y)·Σ g. Masked (-inf) rows get 0.
                if (log) for (int j = 0; j < n; j++) s += gr[j];
                else for (int j = 0; j < n; j++) s += gr[j] * yr[j];
                if (log) for (int j = 0; j < n; j++) gr[j] = yr[j] == Double.NEGATIVE_INFINITY ? 0.0 : gr[j] - Math.exp(yr[j]) * s;
                else for (int j = 0; j < n; j++) gr[j] = yr[j] * (gr[j] - s);
                dx.write(r * n, n, gr);
            }
        });
        return out;
    }

    static LayerNormResult layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        return layerNorm(x, gamma, beta, eps, empty(x.dtype(), x.shape()));
    }

    /** Layer norm into y, which may be x itself (contiguous): each row is read whole before its outputs are written. */
    static LayerNormResult layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor y) {
        int n = x.size(-1), rows = x.numel() / Math.max(n, 1);
        int[] statShape = Arrays.copyOf(x.shape(), x.rank() - 1);
        DType t = x.dtype();
        Tensor mean = empty(t, statShape), rstd = empty(t, statShape);
        double[] g = float64Copy(gamma), b = float64Copy(beta);
        DoubleView xs = DoubleView.of(packed(x)), ys = DoubleView.of(y), ms = DoubleView.of(mean), rs = DoubleView.of(rstd);
        Parallel.forRange(rows, n, (r0, r1) -> {
            double[] row = new double[n];
            for (int r = r0; r < r1; r++) {
                xs.read(r * n, n, row);
                double mu = sum(row, n) / n;
                double var = 0, v1 = 0, v2 = 0, v3 = 0;
                int j4 = 0;
                for (; j4 + 4 <= n; j4 += 4) {
                    double d0 = row[j4] - mu, d1 = row[j4 + 1] - mu, d2 = row[j4 + 2] - mu, d3 = row[j4 + 3] - mu;
                    var += d0 * d0; v1 += d1 * d1; v2 += d2 * d2; v3 += d3 * d3;
                }
                for (; j4 < n; j4++) { double d = row[j4] - mu; var += d * d; }
                var = ((var + v1) + (v2 + v3)) / n; // biased variance, as torch.nn.LayerNorm
                double rsd = 1.0 / Math.sqrt(var + eps);
                ms.set(r, mu);
                rs.set(r, rsd);
                for (int j = 0; j < n; j++) row[j] = (row[j] - mu) * rsd * g[j] + b[j];
                ys.write(r * n, n, row);
            }
        });
        return new LayerNormResult(y, mean, rstd);
    }

    static LayerNormGrads layerNormBackward(Tensor gy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd) {
        int n = x.size(-1), rows = x.numel() / Math.max(n, 1);
        DType t = x.dtype();
        Tensor dx = empty(t, x.shape());
        double[] gam = float64Copy(gamma);
        double[] dgamma = new double[n], dbeta = new double[n];
        DoubleView gs = DoubleView.of(packed(gy)), xs = DoubleView.of(packed(x)), ms = DoubleView.of(packed(mean));
        DoubleView rs = DoubleView.of(packed(rstd)), ds = DoubleView.of(dx);
        // dx: rows are independent.
        Parallel.forRange(rows, n, (r0, r1) -> {
            double[] xr = new double[n], gr = new double[n];
            for (int r = r0; r < r1; r++) {
                xs.read(r * n, n, xr);
                gs.read(r * n, n, gr);
                double mu = ms.get(r), rsd = rs.get(r);
                for (int j = 0; j < n; j++) {
                    xr[j] = (xr[j] - mu) * rsd;          // x̂
                    gr[j] *= gam[j];                      // g·γ (gr is not read again as g)
                }
                double sumG = sum(gr, n), sumGX = dot(gr, xr, n);
                for (int j = 0; j < n; j++) xr[j] = rsd * (gr[j] - sumG / n - xr[j] * sumGX / n);
                ds.write(r * n, n, xr);
            }
        });
        // dgamma, dbeta: sums over rows, so they are split by column instead; each column still adds its rows in order.
        // Each task sums into arrays of its own, copied out at the end: summed in place, the columns at the edges of
        // two tasks shared cache lines, which the two threads then passed back and forth row after row (the backward
        // ran slower on two threads than on one).
        Parallel.forRange(n, rows, (c0, c1) -> {
            int w = c1 - c0;
            double[] xr = new double[w], gr = new double[w], dg = new double[w], db = new double[w];
            for (int r = 0; r < rows; r++) {
                xs.read(r * n + c0, w, xr);
                gs.read(r * n + c0, w, gr);
                double mu = ms.get(r), rsd = rs.get(r);
                for (int j = 0; j < w; j++) {
                    dg[j] += gr[j] * ((xr[j] - mu) * rsd);
                    db[j] += gr[j];
                }
            }
            System.arraycopy(dg, 0, dgamma, c0, w);
            System.arraycopy(db, 0, dbeta, c0, w);
        });
        Tensor dg = Tensor.of(dgamma, n).to(t), db = Tensor.of(dbeta, n).to(t);
        return new LayerNormGrads(dx, dg, db);
    }

    /**
     * The sum of v[0..n) over four interleaved partial sums, added as (s0 + s1) + (s2 + s3): a fixed order (the same
     * bits on every machine) without one long chain of dependent additions, which held a row's statistics to one
     * addition per four cycles.
     */
    static double sum(double[] v, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 4 <= n; j += 4) { s0 += v[j]; s1 += v[j + 1]; s2 += v[j + 2]; s3 += v[j + 3]; }
        for (; j < n; j++) s0 += v[j];
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ a[j]·b[j] for j &lt; n, in {@link #sum}'s order. */
    static double dot(double[] a, double[] b, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 4 <= n; j += 4) { s0 += a[j] * b[j]; s1 += a[j + 1] * b[j + 1]; s2 += a[j + 2] * b[j + 2]; s3 += a[j + 3] * b[j + 3]; }
        for (; j < n; j++) s0 += a[j] * b[j];
        return (s0 + s1) + (s2 + s3);
    }

    /** A parameter's values as a fresh double[] (gamma and beta enter the arithmetic in double). */
    private static double[] float64Copy(Tensor p) { return f64(CpuTensors.copied(p.to(DType.FLOAT64))); }
}
