package trdetr.jmh;

import trdetr.bench.StepWorkload;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The released TR-DETR end to end, on a {@link trdetr.bench.SyntheticBatch} of the official shapes (batch 32, 75 clips of
 * 2816 + 2 features, 32 tokens of 512), set up by the main code's {@link StepWorkload} (the same as the
 * {@code bench step} command). {@code forward}: one eval-mode forward pass without autograd on the batch already on
 * the device. {@code trainStep}: one step of the trainer's {@link trdetr.train.TrainingStep} (batch to the device,
 * forward, losses, backward, gradient clipping, AdamW). Few iterations: a CPU step takes seconds, and an iteration
 * always completes at least one call.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class ModelBench extends DeviceBench {
    StepWorkload workload;

    @Setup(Level.Trial)
    public void setup() {
        workload = StepWorkload.open(openDevice(), 32, 75, 32, 2818, 512, 2018);
    }

    @TearDown(Level.Trial)
    public void close() {
        if (workload != null) workload.close();
    }

    @Benchmark
    public void forward() {
        workload.forward();
    }

    @Benchmark
    public double trainStep() {
        return workload.trainStep();
    }
}
