package trdetr.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import trdetr.autograd.GradMode;
import trdetr.backend.MemoryScope;
import trdetr.tensor.Tensor;

/**
 * Element-wise products on an activation of the official training shape (32·75 rows of 256): two same-shape
 * tensors ({@code same}), a bias row broadcast over the rows ({@code bias}) and a per-row column, as a padding
 * mask multiplies features ({@code column}: a scalar per row, stride 0 along it).
 * {@code loop=strided} runs the CPU backend's generic strided loop instead of its unit-stride rows (each parameter
 * set runs in its own JVM, so the property is read fresh); on CUDA the parameter changes nothing.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ElementwiseBench extends DeviceBench {
    static final int ROWS = 32 * 75, COLS = 256;

    @Param({"unit", "strided"})
    public String loop;

    Tensor x, y, bias, column;

    @Setup(Level.Trial)
    public void setup() {
        if (loop.equals("strided")) System.setProperty("trdetr.elementwise", "strided");
        openDevice();
        x = randn(1, ROWS, COLS);
        y = randn(1, ROWS, COLS);
        bias = randn(1, COLS);
        column = randn(1, ROWS, 1);
    }

    @Benchmark
    public Tensor same() { return run(() -> x.mul(y)); }

    @Benchmark
    public Tensor bias() { return run(() -> x.add(bias)); }

    @Benchmark
    public Tensor column() { return run(() -> x.mul(column)); }

    private Tensor run(java.util.function.Supplier<Tensor> op) {
        try (GradMode.Scope ignored = GradMode.noGrad(); MemoryScope scope = backend.openScope()) {
            Tensor z = op.get();
            backend.synchronize();
            return z;
        }
    }
}
