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
 * GPU. Rows are independent: each row's sums run whole, in order, on one thread, so splitting rows over threads
 * leaves every result bit-identical. The softmax forward has a float32 loop of its own; the rest runs in double
 * through {@link DoubleView}.
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
                    int o = r * n;
                    float m = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) m = Math.max(m, a[o + j]);
                    if (m == Float.NEGATIVE_INFINITY) { Arrays.fill(y, o, o + n, log ? m : 0f); continue; }
                    double s = 0;
                    if (log) for (int j = 0; j < n; j++) s += Math.exp(a[o + j] - m);
                    else for (int j = 0; j < n; j++) { double e = Math.exp(a[o + j] - m); exps[j] = e; s += e; }
                    if (log) { float ls = (float) Math.log(s); for (int j = 0; j < n; j++) y[o + j] = a[o + j] - m - ls; }
                    else { double inv = 1.0 / s; for (int j = 0; j < n; j++) y[o + j] = (float) (exps[j] * inv); }
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
        int n = x.size(-1), rows = x.numel() / Math.max(n, 1);
        int[] statShape = Arrays.copyOf(x.shape(), x.rank() - 1);
        DType t = x.dtype();
        Tensor y = empty(t, x.shape()), mean = empty(t, statShape), rstd = empty(t, statShape);
        double[] g = float64Copy(gamma), b = float64Copy(beta);
        DoubleView xs = DoubleView.of(packed(x)), ys = DoubleView.of(y), ms = DoubleView.of(mean), rs = DoubleView.of(rstd);
        Parallel.forRange(rows, n, (r0, r1) -> {
            double[] row = new double[n];
            for (int r = r0; r < r1; r++) {
                xs.read(r * n, n, row);
                double mu = 0;
                for (int j = 0; j < n; j++) mu += row[j];
                mu /= n;
                double var = 0;
                for (int j = 0; j < n; j++) { double d = row[j] - mu; var += d * d; }
                var /= n; // biased variance, as torch.nn.LayerNorm
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
                double sumG = 0, sumGX = 0;
                for (int j = 0; j < n; j++) {
                    double xhat = (xr[j] - mu) * rsd;
                    double gg = gr[j] * gam[j];
                    sumG += gg;
                    sumGX += gg * xhat;
                    xr[j] = xhat;
                }
                for (int j = 0; j < n; j++) xr[j] = rsd * (gr[j] * gam[j] - sumG / n - xr[j] * sumGX / n);
                ds.write(r * n, n, xr);
            }
        });
        // dgamma, dbeta: sums over rows, so they are split by column instead; each column still adds its rows in order.
        Parallel.forRange(n, rows, (c0, c1) -> {
            int w = c1 - c0;
            double[] xr = new double[w], gr = new double[w];
            for (int r = 0; r < rows; r++) {
                xs.read(r * n + c0, w, xr);
                gs.read(r * n + c0, w, gr);
                double mu = ms.get(r), rsd = rs.get(r);
                for (int j = 0; j < w; j++) {
                    dgamma[c0 + j] += gr[j] * ((xr[j] - mu) * rsd);
                    dbeta[c0 + j] += gr[j];
                }
            }
        });
        Tensor dg = Tensor.of(dgamma, n).to(t), db = Tensor.of(dbeta, n).to(t);
        return new LayerNormGrads(dx, dg, db);
    }

    /** A parameter's values as a fresh double[] (gamma and beta enter the arithmetic in double). */
    private static double[] float64Copy(Tensor p) { return f64(CpuTensors.copied(p.to(DType.FLOAT64))); }
}
