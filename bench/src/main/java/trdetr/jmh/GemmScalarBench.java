package trdetr.jmh;

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

import trdetr.backend.cpu.ScalarSgemm;

/** The plain scalar kernel (single-threaded) on one of {@link GemmBench}'s shapes, for comparison; it is slow. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmScalarBench {

    @Param({"nn_2400x256x1024"})
    public String shape;

    GemmBench g;

    @Setup(Level.Trial)
    public void setup() {
        g = new GemmBench();
        g.shape = shape;
        g.threads = 1;
        g.setup();
    }

    @Benchmark
    public float[] scalar() {
        GemmBench g = this.g;
        ScalarSgemm.gemm(g.transA, g.transB, g.m, g.n, g.k, g.a, 0, g.lda, g.b, 0, g.ldb, g.c, 0, g.n, false);
        return g.c;
    }
}
