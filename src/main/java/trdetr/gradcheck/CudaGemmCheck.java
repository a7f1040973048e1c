package trdetr.gradcheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import trdetr.backend.cpu.CpuBackend;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaGemm;
import trdetr.tensor.Tensor;

/**
 * Checks the GPU GEMM modes against the CPU backend's float32 matmul on random data, for the four transpose forms
 * (edge tiles everywhere: no size is a multiple of the tile), batched and broadcast operands, and a split-K shape.
 * Each case reports three relative Frobenius errors:
 * <ul>
 *   <li>exact GPU vs CPU float32, within {@link #TOL_EXACT} (both FP32, only summation order differs);</li>
 *   <li>TF32 GPU vs CPU float32, within {@link CudaGemm#TF32_TOLERANCE} (the documented TF32 accuracy);</li>
 *   <li>TF32 GPU vs a TF32 emulation (operands rounded as cvt.rna.tf32 does, products summed in double), within
 *       {@link #TOL_TF32_EMULATED}: this pins down that the kernel rounds (not truncates) and loses nothing else.</li>
 * </ul>
 * Outputs are fresh device buffers; with the backend's poisoning on, an element the kernel misses is NaN and fails.
 */
public final class CudaGemmCheck {
    /** Exact FP32 kernel vs the CPU: the float32 forward tolerance of the op checks (DeviceCheck). */
    public static final double TOL_EXACT = 1e-5;
    /**
     * TF32 kernel vs the emulation: both round the operands identically, so what differs is the FP32 accumulation
     * (order, and the tensor core's own alignment of addends), ~1e-6; 1e-4 leaves room for that and is still 3×
     * below the rounding error itself (~2.9e-4 on Gaussian data), so a kernel that skips the conversion (exact FP32
     * or hardware truncation: 8.7e-4 from the emulation) fails.
     */
    public static final double TOL_TF32_EMULATED = 1e-4;

    /** One product: batch sizes of A and B (0 = a 2-D operand), C = op(A)·op(B) with op(A) m×k, op(B) k×n. */
    public record Case(String name, int batchA, int batchB, int m, int n, int k, boolean transA, boolean transB) {}

    public static final List<Case> CASES = List.of(
            new Case("gemm nn 131x77x203", 0, 0, 131, 77, 203, false, false),
            new Case("gemm nt 131x77x203", 0, 0, 131, 77, 203, false, true),
            new Case("gemm tn 131x77x203", 0, 0, 131, 77, 203, true, false),
            new Case("gemm tt 131x77x203", 0, 0, 131, 77, 203, true, true),
            new Case("gemm nt 300x260x700", 0, 0, 300, 260, 700, false, true),
            new Case("gemm nn split-K 96x80x2100", 0, 0, 96, 80, 2100, false, false),
            new Case("bmm nt 24x[75x32]x[75x32]", 24, 24, 75, 75, 32, false, true),
            new Case("bmm nn bcast B 6x[50x40]x[40x70]", 6, 0, 50, 70, 40, false, false),
            new Case("bmm tn bcast A [33x45]x5x[33x29]", 0, 5, 45, 29, 33, true, false));

    /** The outcome of one case; tf32 errors are NaN where the GPU has no TF32 tensor cores (not checked). */
    public record Result(String name, double exact, double tf32, double tf32VsEmulated, String failure) implements CheckResult {
        @Override public String body() {
            return String.format("%-32s exact %.1e  tf32 %.1e  tf32/emul %.1e", name, exact, tf32, tf32VsEmulated);
        }
    }

    private CudaGemmCheck() {}

    public static List<Result> run(CudaBackend backend, long seed) {
        List<Result> results = new ArrayList<>();
        for (Case c : CASES) results.add(check(backend, c, seed));
        return results;
    }

    public static Result check(CudaBackend backend, Case c, long seed) {
        CudaGemm gemm = backend.gemm();
        CudaGemm.Mode previous = gemm.mode();
        try {
            Inputs in = Inputs.of(c, seed);
            int[] as = in.as(), bs = in.bs();
            float[] a = in.a(), b = in.b();
            double[] cpu = in.cpu();
            Tensor da = Tensor.wrap(backend.upload(a), as), db = Tensor.wrap(backend.upload(b), bs);
            gemm.setMode(CudaGemm.Mode.EXACT);
            double exact = GradCheck.relativeError(backend.matmul(da, db, c.transA(), c.transB()).toDoubleArray(), cpu);
            String failure = exact <= TOL_EXACT ? null : "exact FP32 kernel differs from the CPU";
            double tf32 = Double.NaN, emulated = Double.NaN;
            if (backend.device().computeMajor() >= 8) {
                gemm.setMode(CudaGemm.Mode.TF32);
                double[] y = backend.matmul(da, db, c.transA(), c.transB()).toDoubleArray();
                tf32 = GradCheck.relativeError(y, cpu);
                emulated = GradCheck.relativeError(y, tf32Reference(c, a, b));
                if (failure == null && !(tf32 <= CudaGemm.TF32_TOLERANCE)) failure = "TF32 error above its bound " + CudaGemm.TF32_TOLERANCE;
                if (failure == null && !(emulated <= TOL_TF32_EMULATED)) failure = "TF32 kernel differs from the TF32 emulation";
            }
            return new Result(c.name(), exact, tf32, emulated, failure);
        } catch (RuntimeException e) {
            return new Result(c.name(), Double.NaN, Double.NaN, Double.NaN, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            gemm.setMode(previous);
        }
    }

    /** ‖TF32 emulation − CPU float32 product‖/‖CPU‖ on a case's inputs (no GPU needed: checks the emulation itself). */
    public static double emulationError(Case c, long seed) {
        Inputs in = Inputs.of(c, seed);
        return GradCheck.relativeError(tf32Reference(c, in.a(), in.b()), in.cpu());
    }

    /** A case's random operands (shapes as, bs) and their product on the CPU backend. */
    private record Inputs(int[] as, int[] bs, float[] a, float[] b, double[] cpu) {
        static Inputs of(Case c, long seed) {
            Random r = new Random(seed ^ c.name().hashCode());
            int[] as = shape(c.batchA(), c.transA() ? c.k() : c.m(), c.transA() ? c.m() : c.k());
            int[] bs = shape(c.batchB(), c.transB() ? c.n() : c.k(), c.transB() ? c.k() : c.n());
            float[] a = random(r, as), b = random(r, bs);
            double[] cpu = CpuBackend.INSTANCE.matmul(Tensor.wrap(CpuBackend.INSTANCE.upload(a), as),
                    Tensor.wrap(CpuBackend.INSTANCE.upload(b), bs), c.transA(), c.transB()).toDoubleArray();
            return new Inputs(as, bs, a, b, cpu);
        }
    }

    private static int[] shape(int batch, int rows, int cols) {
        return batch == 0 ? new int[] {rows, cols} : new int[] {batch, rows, cols};
    }

    private static float[] random(Random r, int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** x rounded to TF32 as cvt.rna.tf32.f32 does: to nearest with ties away from zero, 10 mantissa bits kept. */
    public static float roundToTf32(float x) {
        if (!Float.isFinite(x)) return x;
        return Float.intBitsToFloat((Float.floatToRawIntBits(x) + 0x1000) & 0xffffe000);
    }

    /** C = op(A)·op(B) with TF32-rounded operands, summed in double. */
    static double[] tf32Reference(Case c, float[] a, float[] b) {
        int m = c.m(), n = c.n(), k = c.k(), batch = Math.max(1, Math.max(c.batchA(), c.batchB()));  // 0 = a 2-D product
        double[] out = new double[batch * m * n];
        for (int p = 0; p < batch; p++) {
            int offA = c.batchA() == 0 ? 0 : p * m * k, offB = c.batchB() == 0 ? 0 : p * k * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        float x = a[offA + (c.transA() ? q * m + i : i * k + q)];
                        float y = b[offB + (c.transB() ? j * k + q : q * n + j)];
                        s += (double) roundToTf32(x) * roundToTf32(y);
                    }
                    out[(p * m + i) * n + j] = s;
                }
        }
        return out;
    }
}
