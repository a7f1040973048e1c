package trdetr.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import trdetr.backend.cpu.Parallel;
import trdetr.backend.cpu.Sgemm;

/**
 * GEMM on the TR-DETR model's shapes. Mode: SampleTime (the time of every call is recorded, so the median and
 * the best call are available, as for the PyTorch reference: the machine is shared and noisy). Score: ms per
 * product; GFLOP/s = 2·batch·m·n·k / time (tools/bench_gemm.sh computes it and compares with OpenBLAS through
 * PyTorch on the same shapes).
 *
 * <p>Shape names: {@code <op>_<...>}; see {@link #SHAPES}. Every (method, shape) runs in its own fork: mixing
 * kernels in one JVM shifts the results. The scalar kernel is in {@link GemmScalarBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {

    /** name → {batch, m, n, k, transA, transB}: C = op(A)·op(B), op(A) m×k, op(B) k×n. */
    static final Object[][] SHAPES = {
        // [2400×2818]·[2818×256]: the input projection (NN)
        {"nn_2400x2818x256", 1, 2400, 256, 2818, false, false},
        // [2400×256]·[256×1024]: FFN up (NN)
        {"nn_2400x256x1024", 1, 2400, 1024, 256, false, false},
        // [2400×1024]·[1024×256]: FFN down (NN)
        {"nn_2400x1024x256", 1, 2400, 256, 1024, false, false},
        // linear layer x·Wᵀ, W [256×2818] (NT)
        {"nt_linear_2818to256", 1, 2400, 256, 2818, false, true},
        // weight gradient xᵀ·dY: [2818×2400]·[2400×256] (TN)
        {"tn_wgrad_2818x2400x256", 1, 2818, 256, 2400, true, false},
        // input gradient dY·Wᵀ, W stored [2818×256]: [2400×256]·[256×2818] (NT)
        {"nt_dgrad_256to2818", 1, 2400, 2818, 256, false, true},
        // attention-sized batched product: 256 × ([75×32]·[32×75])
        {"bmm_256x75x32x75", 256, 75, 75, 32, false, false},
    };

    @Param({"nn_2400x2818x256", "nn_2400x256x1024", "nn_2400x1024x256", "nt_linear_2818to256",
            "tn_wgrad_2818x2400x256", "nt_dgrad_256to2818", "bmm_256x75x32x75"})
    public String shape;

    /** Threads for the Java kernel (the PyTorch script uses the same number). */
    @Param({"2"})
    public int threads;

    int batch, m, n, k, lda, ldb, strideA, strideB;
    boolean transA, transB;
    float[] a, b, c;

    @Setup(Level.Trial)
    public void setup() {
        Object[] s = null;
        for (Object[] row : SHAPES) if (row[0].equals(shape)) s = row;
        if (s == null) throw new IllegalArgumentException("unknown shape " + shape);
        batch = (Integer) s[1];
        m = (Integer) s[2];
        n = (Integer) s[3];
        k = (Integer) s[4];
        transA = (Boolean) s[5];
        transB = (Boolean) s[6];
        lda = transA ? m : k;
        ldb = transB ? k : n;
        strideA = m * k;
        strideB = k * n;
        Random r = new Random(42);
        a = new float[batch * m * k];
        b = new float[batch * k * n];
        c = new float[batch * m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
        Parallel.setThreads(threads);
        System.out.println("# kernel: " + Sgemm.describe() + "; java " + System.getProperty("java.version"));
    }

    /** The dispatching entry point (Vector API kernel when the module is present). */
    @Benchmark
    public float[] vector() {
        if (batch == 1) {
            Sgemm.gemm(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
        } else {
            Sgemm.gemmBatched(batch, transA, transB, m, n, k, a, 0, lda, strideA, b, 0, ldb, strideB,
                              c, 0, n, m * n, false);
        }
        return c;
    }
}
