package trdetr.opcheck;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import trdetr.backend.cpu.CpuBackend;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaGemm;
import trdetr.tensor.Tensor;

/**
 * Checks the GPU GEMM modes against the CPU backend's float32 matmul on random data, for the four transpose forms
 * (edge tiles almost everywhere: few sizes are multiples of a tile), batched and broadcast operands, split-K shapes,
 * and leading dimensions that allow 16-, 8- and only 4-byte copies (the pipelined TF32 kernels pick their copy width
 * from them). {@link #check} reports, for the current TF32 variant, three relative Frobenius errors:
 * <ul>
 *   <li>exact GPU vs CPU float32, within {@link #TOL_EXACT} (both FP32, only summation order differs);</li>
 *   <li>TF32 GPU vs CPU float32, within {@link CudaGemm#TF32_TOLERANCE} (the documented TF32 accuracy);</li>
 *   <li>TF32 GPU vs a TF32 emulation (operands rounded as cvt.rna.tf32 does, products summed in double), within
 *       {@link #TOL_TF32_EMULATED}: this pins down that the kernel rounds (not truncates) and loses nothing else.</li>
 * </ul>
 * {@link #checkVariant} reports the last two for one TF32 kernel variant ({@link CudaGemm#TF32_VARIANTS}), so that
 * every variant is held to the emulation on every case; a variant that fails to load or launch is a failed line.
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
            new Case("bmm tn bcast A [33x45]x5x[33x29]", 0, 5, 45, 29, 33, true, false),
            new Case("gemm tn tile multiples 256x128x96", 0, 0, 256, 128, 96, true, false),
            new Case("gemm nn K=2 mod 4 260x256x2818", 0, 0, 260, 256, 2818, false, false),
            new Case("gemm nt split-K 120x136x2818", 0, 0, 120, 136, 2818, false, true),
            new Case("gemm tt split-K odd ld 71x90x1999", 0, 0, 71, 90, 1999, true, true),
            new Case("bmm nn split-K bcast B 3x[40x1500]x[1500x50]", 3, 0, 40, 50, 1500, false, false));

    /**
     * The outcome of one case; tf32 errors are NaN where the GPU has no TF32 tensor cores (not checked), exact is NaN
     * on a variant's line (not measured there).
     */
    public record Result(String name, double exact, double tf32, double tf32VsEmulated, String failure) implements CheckResult {
        @Override public String body() {
            return String.format("%-44s exact %s  tf32 %s  tf32/emul %s", name, error(exact), error(tf32), error(tf32VsEmulated));
        }

        private static String error(double e) { return Double.isNaN(e) ? "   -   " : String.format("%.1e", e); }
    }

    private CudaGemmCheck() {}

    public static List<Result> run(CudaBackend backend, long seed) {
        List<Result> results = new ArrayList<>();
        for (Case c : CASES) results.add(check(backend, c, seed));
        return results;
    }

    /** A variant's line name: the case's name and the variant, so that `gradcheck --op tf32=NAME` selects one variant. */
    public static String variantName(Case c, String variant) { return c.name() + " tf32=" + variant; }

    /**
     * One case with one TF32 kernel variant against the CPU product and the TF32 emulation. Errors are caught (a
     * failed line, not a failed run), though one that leaves the CUDA context unusable (an illegal address) fails
     * every later GPU line of the process too: `tools/gpu_checks.sh` checks each variant in a process of its own.
     */
    public static Result checkVariant(CudaBackend backend, Case c, String variant, long seed) {
        String name = variantName(c, variant);
        if (backend.device().computeMajor() < 8) return new Result(name, Double.NaN, Double.NaN, Double.NaN, null);
        CudaGemm gemm = backend.gemm();
        CudaGemm.Mode previousMode = gemm.mode();
        String previousVariant = gemm.tf32Variant();
        try {
            Inputs in = Inputs.of(c, seed);
            Tensor da = Tensor.wrap(backend.upload(in.a()), in.as()), db = Tensor.wrap(backend.upload(in.b()), in.bs());
            gemm.setMode(CudaGemm.Mode.TF32);
            gemm.setTf32Variant(variant);
            double[] y = backend.matmul(da, db, c.transA(), c.transB()).toDoubleArray();
            double tf32 = GradCheck.relativeError(y, in.cpu()), emulated = GradCheck.relativeError(y, in.tf32());
            String failure = null;
            if (!(tf32 <= CudaGemm.TF32_TOLERANCE)) failure = "TF32 error above its bound " + CudaGemm.TF32_TOLERANCE;
            else if (!(emulated <= TOL_TF32_EMULATED)) failure = "TF32 kernel differs from the TF32 emulation";
            return new Result(name, Double.NaN, tf32, emulated, failure);
        } catch (RuntimeException e) {
            return new Result(name, Double.NaN, Double.NaN, Double.NaN, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            gemm.setMode(previousMode);
            gemm.setTf32Variant(previousVariant);
        }
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
                emulated = GradCheck.relativeError(y, in.tf32());
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
        return GradCheck.relativeError(in.tf32(), in.cpu());
    }

    /**
     * A case's random operands (shapes as, bs), their product on the CPU backend and the TF32 emulation of it. They
     * are kept (a few MB for all cases): every variant is checked on the same inputs, and the references of the
     * larger cases take a while on the CPU.
     */
    private record Inputs(int[] as, int[] bs, float[] a, float[] b, double[] cpu, double[] tf32) {
        private static final Map<String, Inputs> CACHE = new HashMap<>();

        static synchronized Inputs of(Case c, long seed) {
            return CACHE.computeIfAbsent(c + "/" + seed, key -> compute(c, seed));
        }

        private static Inputs compute(Case c, long seed) {
            Random r = new Random(seed ^ c.name().hashCode());
            int[] as = shape(c.batchA(), c.transA() ? c.k() : c.m(), c.transA() ? c.m() : c.k());
            int[] bs = shape(c.batchB(), c.transB() ? c.n() : c.k(), c.transB() ? c.k() : c.n());
            float[] a = random(r, as), b = random(r, bs);
            double[] cpu = CpuBackend.INSTANCE.matmul(Tensor.wrap(CpuBackend.INSTANCE.upload(a), as),
                    Tensor.wrap(CpuBackend.INSTANCE.upload(b), bs), c.transA(), c.transB()).toDoubleArray();
            return new Inputs(as, bs, a, b, cpu, tf32Reference(c, a, b));
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
