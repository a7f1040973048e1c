package trdetr.jmh;

import java.util.List;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import trdetr.autograd.GradMode;
import trdetr.backend.MemoryScope;
import trdetr.nn.LayerNorm;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * Layer norm over 256 channels ({@link LayerNorm}, the model's) on 2400 = 32 × 75 rows, the encoder's activations.
 * {@code forward}: no autograd; {@code forwardBackward}: then the fused backward from a random output gradient to the
 * input, weight and bias.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LayerNormBench extends DeviceBench {
    static final int ROWS = 32 * 75, WIDTH = 256;

    LayerNorm norm;
    Tensor x, gradOut;

    @Setup(Level.Trial)
    public void setup() {
        openDevice();
        norm = new LayerNorm(WIDTH, 1e-5, DType.FLOAT32);
        x = leaf(1, ROWS, WIDTH);
        gradOut = randn(1, ROWS, WIDTH);
    }

    @Benchmark
    public Tensor forward() {
        try (GradMode.Scope ignored = GradMode.noGrad(); MemoryScope scope = backend.openScope()) {
            Tensor y = norm.forward(x);
            backend.synchronize();
            return y;
        }
    }

    @Benchmark
    public Tensor forwardBackward() {
        try (MemoryScope scope = backend.openScope()) {
            Tensor y = norm.forward(x);
            y.backward(gradOut, false);
            backend.synchronize();
            dropGrads(List.of(x, norm.weight, norm.bias));
            return y;
        }
    }
}
