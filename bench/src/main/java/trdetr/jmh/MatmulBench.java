package trdetr.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import trdetr.backend.GemmShape;
import trdetr.backend.MemoryScope;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaGemm;
import trdetr.tensor.Tensor;

/**
 * {@code Backend.matmul} on the model's products ({@link GemmShape#MODEL}: the input projection, the linear layer
 * and its two gradients, the FFN, and the attention-sized batched Q·Kᵀ), as the model issues them: a fresh output
 * per call. The CPU kernels alone on float arrays, against OpenBLAS, are {@link GemmBench} (tools/bench_gemm.sh).
 * {@code -p cudaGemm=exact,tf32} compares the CUDA GEMM kernels ({@link CudaGemm.Mode}); {@code default} keeps the
 * backend's mode (what training uses). GFLOP/s = {@link GemmShape#flops()} / time.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatmulBench extends DeviceBench {

    @Param({"nn_proj_2400x2818x256", "nt_linear_2818to256", "tn_wgrad_2818x2400x256", "nt_dgrad_256to2818",
            "nn_ffn_2400x256x1024", "nn_ffn_2400x1024x256", "bmm_nt_attn_256x75x75x32"})
    public String shape;

    /** The CUDA GEMM mode: default (the backend's), exact, tf32 or cublas; only default on the CPU. */
    @Param({"default"})
    public String cudaGemm;

    GemmShape s;
    Tensor a, b;

    @Setup(Level.Trial)
    public void setup() {
        openDevice();
        if (!cudaGemm.equals("default")) {
            if (!(backend instanceof CudaBackend)) throw new IllegalArgumentException("-p cudaGemm=" + cudaGemm + " applies to device=cuda only");
            ((CudaBackend) backend).gemm().setMode(CudaGemm.Mode.parse(cudaGemm));
        }
        s = GemmShape.MODEL.stream().filter(g -> g.name().equals(shape)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown shape " + shape));
        a = randn(1, s.shapeA());
        b = randn(1, s.shapeB());
    }

    @Benchmark
    public void matmul() {
        try (MemoryScope scope = backend.openScope()) {
            backend.matmul(a, b, s.transA(), s.transB());
            backend.synchronize();
        }
    }
}
