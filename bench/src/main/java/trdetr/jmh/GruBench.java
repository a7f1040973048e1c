package trdetr.jmh;

import java.util.ArrayList;
import java.util.List;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import trdetr.autograd.GradMode;
import trdetr.backend.MemoryScope;
import trdetr.nn.GRU;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The GRU of MR2HD's moment feature ({@link GRU}, 256 → 256, at its initial weight scale) over the longest window
 * the model gives it: batch 32, 75 steps. As in the model only the last hidden state is used: {@code forward} runs
 * the sequence without autograd; {@code forwardBackward} also backpropagates a random gradient of the last state
 * through time to the input and the four weights.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GruBench extends DeviceBench {
    static final int B = 32, STEPS = 75, HIDDEN = 256;

    GRU gru;
    Tensor x, gradLast;
    List<Tensor> leaves;

    @Setup(Level.Trial)
    public void setup() {
        openDevice();
        gru = new GRU(HIDDEN, HIDDEN, gen, DType.FLOAT32);
        x = leaf(1, B, STEPS, HIDDEN);
        gradLast = randn(1, B, HIDDEN);
        leaves = new ArrayList<>(gru.parameters());
        leaves.add(x);
    }

    @Benchmark
    public Tensor forward() {
        try (GradMode.Scope ignored = GradMode.noGrad(); MemoryScope scope = backend.openScope()) {
            Tensor last = gru.forward(x, null)[1];
            backend.synchronize();
            return last;
        }
    }

    @Benchmark
    public Tensor forwardBackward() {
        try (MemoryScope scope = backend.openScope()) {
            Tensor last = gru.forward(x, null)[1];
            last.backward(gradLast, false);
            backend.synchronize();
            dropGrads(leaves);
            return last;
        }
    }
}
