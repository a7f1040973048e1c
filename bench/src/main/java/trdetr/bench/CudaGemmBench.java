package trdetr.bench;

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

import trdetr.backend.GemmShape;
import trdetr.backend.MemoryScope;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaDevice;
import trdetr.backend.cuda.CudaGemm;
import trdetr.tensor.Tensor;

/**
 * CUDA GEMM on the model's shapes ({@link GemmShape#MODEL}) in each {@link CudaGemm.Mode}, and the attention chain
 * softmax(Q·Kᵀ)·V on batch·heads = 256 heads of 75 clips × 32 channels. One call = the product(s) plus a device
 * synchronisation, inside a memory scope (outputs released per call), so the score is wall time per product
 * including launch cost. Without a usable GPU the setup throws ("no usable CUDA GPU: ...") and JMH reports that
 * benchmark as failed and moves on. {@code trdetr bench gemm --device cuda} is the quick equivalent with TFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CudaGemmBench {

    @Param({"nn_proj_2400x2818x256", "nt_linear_2818to256", "tn_wgrad_2818x2400x256", "nt_dgrad_256to2818",
            "nn_ffn_2400x256x1024", "nn_ffn_2400x1024x256", "bmm_nt_attn_256x75x75x32"})
    public String shape;

    @Param({"exact", "tf32"})
    public String mode;

    CudaBackend backend;
    GemmShape s;
    Tensor a, b, q, k, v;

    @Setup(Level.Trial)
    public void setup() {
        if (!CudaBackend.isAvailable()) throw new IllegalStateException(CudaDevice.unavailableReason());
        backend = CudaBackend.get();
        backend.gemm().setMode(CudaGemm.Mode.parse(mode));
        s = GemmShape.MODEL.stream().filter(g -> g.name().equals(shape)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown shape " + shape));
        Random r = new Random(42);
        a = upload(r, s.shapeA());
        b = upload(r, s.shapeB());
        int[] qkv = {256, 75, 32};
        q = upload(r, qkv);
        k = upload(r, qkv);
        v = upload(r, qkv);
    }

    private Tensor upload(Random r, int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = r.nextFloat() - 0.5f;
        return Tensor.wrap(backend.upload(x), shape);
    }

    @Benchmark
    public void gemm() {
        try (MemoryScope scope = backend.openScope()) {
            backend.matmul(a, b, s.transA(), s.transB());
            backend.synchronize();
        }
    }

    /** softmax(Q·Kᵀ)·V over 256 heads (the 1/√d scale is left out: one more elementwise launch, not GEMM). */
    @Benchmark
    public void attention() {
        try (MemoryScope scope = backend.openScope()) {
            Tensor p = backend.softmax(backend.matmul(q, k, false, true), false);
            backend.matmul(p, v, false, false);
            backend.synchronize();
        }
    }
}
