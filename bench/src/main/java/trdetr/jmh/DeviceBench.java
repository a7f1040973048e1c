package trdetr.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import trdetr.backend.Backend;
import trdetr.backend.Backends;
import trdetr.backend.cpu.Parallel;
import trdetr.backend.cuda.CudaDevice;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/**
 * What the suite's benchmarks share: the device ({@code -p device=cpu|cuda}), the CPU worker threads
 * ({@code -p threads=N}; 0 = all cores) and random inputs on that device. Mode: SampleTime, so every call's time is
 * recorded and the median and tail are in the results (the machines are shared and noisy). Every call of a
 * benchmark ends with {@link Backend#synchronize()}, so on a GPU the score is the wall time of the work, launches
 * included, not of queueing it; device buffers made during a call are released by a {@link trdetr.backend.MemoryScope}
 * at its end.
 *
 * <p>JMH cannot skip a benchmark. Without a usable GPU the setup of a {@code device=cuda} benchmark throws one line
 * ("no usable CUDA GPU: ...") and JMH records that benchmark as failed and goes on; tools/bench_jmh.sh avoids this
 * by passing {@code -p device=cpu} when no GPU is present.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss4m"})
public abstract class DeviceBench {
    @Param({"cpu", "cuda"})
    public String device;

    /** CPU worker threads (matrix products and the parallel loops); 0 leaves the default, all cores. */
    @Param({"0"})
    public int threads;

    protected Backend backend;
    protected Generator gen;

    /** Opens the device (and makes it the default for tensor creation); call first in the subclass's setup. */
    protected Backend openDevice() {
        if (threads > 0) Parallel.setThreads(threads);
        if (device.equals("cuda") && !CudaDevice.isAvailable()) {
            throw new IllegalStateException(CudaDevice.unavailableReason() + " (skip it with -p device=cpu)");
        }
        backend = Backends.forName(device);
        Tensor.setDefaultBackend(backend);
        gen = new Generator(2018);
        return backend;
    }

    /** Standard normal FLOAT32 values on the device, times scale. */
    protected Tensor randn(double scale, int... shape) {
        Tensor t = Tensor.randn(gen, DType.FLOAT32, shape);
        return scale == 1 ? t : t.mul(scale);
    }

    /** The same with autograd on (a leaf whose gradient the backward fills). */
    protected Tensor leaf(double scale, int... shape) { return randn(scale, shape).requiresGrad(true); }

    /**
     * Drops the gradients a backward left in the leaves: they were made inside the call's memory scope, which
     * releases them, and the next call's backward must not accumulate into them.
     */
    protected static void dropGrads(Iterable<Tensor> leaves) {
        for (Tensor t : leaves) t.setGrad(null);
    }
}
