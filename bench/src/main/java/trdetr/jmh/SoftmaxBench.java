package trdetr.jmh;

import java.util.List;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import trdetr.autograd.GradMode;
import trdetr.backend.MemoryScope;
import trdetr.tensor.Tensor;

/**
 * Softmax over the last axis ({@link Tensor#softmax}) on the attention scores' size: 32·8·75 = 19200 rows of 75.
 * {@code forward}: no autograd; {@code forwardBackward}: then the backward from a random output gradient.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SoftmaxBench extends DeviceBench {
    static final int ROWS = 32 * 8 * 75, COLS = 75;

    Tensor x, gradOut;

    @Setup(Level.Trial)
    public void setup() {
        openDevice();
        x = leaf(1, ROWS, COLS);
        gradOut = randn(1, ROWS, COLS);
    }

    @Benchmark
    public Tensor forward() {
        try (GradMode.Scope ignored = GradMode.noGrad(); MemoryScope scope = backend.openScope()) {
            Tensor y = x.softmax(-1);
            backend.synchronize();
            return y;
        }
    }

    @Benchmark
    public Tensor forwardBackward() {
        try (MemoryScope scope = backend.openScope()) {
            Tensor y = x.softmax(-1);
            y.backward(gradOut, false);
            backend.synchronize();
            dropGrads(List.of(x));
            return y;
        }
    }
}
