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
 * The linear layer's product with its bias, x·Wᵀ + b in one pass ({@link Sgemm#gemmWithBias}), on the model's
 * linear shapes (rows × in → out; 2400 = batch 32 × 75 clips): the 256 → 256 projections, of which a forward pass
 * runs about thirty, the FFN's two, and the input projection. Mode and units as {@link GemmBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LinearBench {

    /** rows x in x out. */
    @Param({"2400x256x256", "2400x256x1024", "2400x1024x256", "2400x2818x256"})
    public String shape;

    @Param({"2"})
    public int threads;

    int m, k, n;
    float[] x, w, bias, y;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        k = Integer.parseInt(p[1]);
        n = Integer.parseInt(p[2]);
        Random r = new Random(42);
        x = new float[m * k];
        w = new float[n * k];
        bias = new float[n];
        y = new float[m * n];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < n; i++) bias[i] = r.nextFloat() - 0.5f;
        Parallel.setThreads(threads);
        if (!Sgemm.fusesBias()) throw new IllegalStateException("the Vector API kernel is off: no fused bias to time");
        System.out.println("# kernel: " + Sgemm.describe() + "; java " + System.getProperty("java.version"));
    }

    @Benchmark
    public float[] withBias() {
        Sgemm.gemmWithBias(false, m, n, k, x, k, w, k, bias, y);
        return y;
    }
}
