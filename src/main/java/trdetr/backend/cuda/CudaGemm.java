package trdetr.backend.cuda;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import trdetr.backend.MatmulShape;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * Batched matrix products on the GPU, C[b] = op(A[b])·op(B[b]) for row-major operands, in one of three
 * {@link Mode modes} for FP32 (FP64 always uses the exact kernel):
 * <ul>
 *   <li>{@link Mode#EXACT}: kernels/gemm.cu, FP32 multiply-adds, the same arithmetic as the CPU backend up to
 *       summation order (relative error ~1e-6). The verification path: gradcheck and verify use it.</li>
 *   <li>{@link Mode#TF32}: tensor cores (sm_80+) with operands rounded to TF32 (10-bit mantissa) and FP32
 *       accumulation; relative Frobenius error about 3e-4 on random data, bounded by {@link #TF32_TOLERANCE}. On
 *       older GPUs it falls back to EXACT (one log line). The kernel is one of {@link #TF32_VARIANTS}, picked by
 *       {@code -Dtrdetr.cuda.gemm.tf32variant=NAME} or {@link #setTf32Variant} (default: the first of
 *       {@link #DEFAULT_TF32_ORDER} that fits the GPU): kernels/gemm_tf32.cu ("legacy") or a cp.async pipelined kernel (kernels/gemm_tf32_pipelined.cuh; `bench gemm --tf32-variant
 *       all` times them all, `gradcheck --device cuda` checks them all).</li>
 *   <li>{@link Mode#CUBLAS}: cuBLAS SGEMM through JCublas2 when libcublas.so.12 loads, else EXACT (one log line
 *       at first use saying which).</li>
 * </ul>
 *
 * <p>The default is EXACT, set by {@code -Dtrdetr.cuda.gemm=exact|tf32|cublas} or {@link #setMode}. Why not TF32:
 * correctness by default. A silently 1000× larger matmul error would make CPU/GPU comparisons, gradient checks and
 * reproductions of the reference training disagree in ways that look like bugs; PyTorch made the same choice
 * (torch.backends.cuda.matmul.allow_tf32 defaults to False since 1.12). Speed is one flag away.
 *
 * <p>Every product is one launch (plus one for the split-K sum): the batch is the grid's z dimension, and a 2-D
 * operand multiplied with a batched one is broadcast with batch stride 0.
 */
public final class CudaGemm {
    /** How FP32 products are computed. */
    public enum Mode {
        EXACT, TF32, CUBLAS;

        /** "exact", "tf32" or "cublas" (any case). */
        public static Mode parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown GEMM mode '" + s + "' (expected exact, tf32 or cublas)");
            }
        }
    }

    /** System property that picks the mode at start-up. */
    public static final String MODE_PROPERTY = "trdetr.cuda.gemm";

    /**
     * Bound on the relative Frobenius error ‖C_tf32 − C‖/‖C‖ of a TF32 product against the exact one. Rounding
     * each operand to TF32 (round to nearest, 10 stored mantissa bits) has relative error |δ| ≤ u = 2⁻¹¹ ≈ 4.9e-4,
     * so each product a·b carries a(1+δa)·b(1+δb) ≈ ab(1 + δa + δb). For data without systematic sign structure
     * the errors of a dot product's terms are independent, δ is roughly uniform on [−u, u] (variance u²/3), and
     * the relative error of the sum is at most about √(2/3)·u ≈ 4.0e-4 whatever k is (FP32 accumulation adds
     * ~√k·2⁻²⁴, negligible). Emulated in numpy on Gaussian data (k = 32 … 2818) it is 2.8–2.9e-4 (truncating
     * instead of rounding: 7.7e-4). 2e-3 is 5× the estimate: a margin for unlucky inputs, yet far below what a wrong
     * fragment or a lost tile produces (order 1). It does not hold for sums with heavy cancellation (‖C‖ ≪ ‖A‖·‖B‖), where no relative
     * bound does. CudaGemmCheck measures it.
     */
    public static final double TF32_TOLERANCE = 2e-3;

    /** System property that picks the TF32 kernel variant (one of {@link #TF32_VARIANTS}) at start-up. */
    public static final String TF32_VARIANT_PROPERTY = "trdetr.cuda.gemm.tf32variant";

    /** The original TF32 kernel, kernels/gemm_tf32.cu. */
    public static final String LEGACY_VARIANT = "legacy";

    /**
     * The TF32 variants tried in order when none is asked for: the first whose shared memory fits the GPU. On an
     * H200 (2026-11-26, `bench gemm --tf32-variant all`) p128x128w64x64s3 was fastest or within 10% of the fastest on
     * every large model shape (48–80 TFLOP/s against the legacy kernel's 24–40); it needs 108 KB per block, more
     * than sm_86/89 allow, where p64x64w32x32s4 (72 KB) runs instead.
     */
    static final List<String> DEFAULT_TF32_ORDER = List.of("p128x128w64x64s3", "p64x64w32x32s4", LEGACY_VARIANT);

    /**
     * Every TF32 kernel variant: {@link #LEGACY_VARIANT} and the cp.async pipelined ones (kernels/gemm_tf32_NAME.cu,
     * named p{tile m}x{tile n}w{warp m}x{warp n}s{stages}).
     */
    public static final List<String> TF32_VARIANTS = Stream.concat(Stream.of(LEGACY_VARIANT),
            PipelinedTf32Kernel.NAMES.stream()).toList();

    private static final int TF32_TILE = 128, TF32_BK = 16;

    private final CudaBackend backend;
    private volatile Mode mode = Mode.parse(System.getProperty(MODE_PROPERTY, "exact"));
    private final Map<String, PipelinedTf32Kernel> tf32Kernels = new ConcurrentHashMap<>();
    private volatile PipelinedTf32Kernel tf32Kernel;   // null: the legacy kernel
    private boolean tf32Logged, cublasLogged;

    CudaGemm(CudaBackend backend) {
        this.backend = backend;
        String asked = System.getProperty(TF32_VARIANT_PROPERTY);
        setTf32Variant(asked != null ? asked : defaultTf32Variant(backend.device().maxSharedPerBlock()));
    }

    /** The first of {@link #DEFAULT_TF32_ORDER} whose shared memory per block is at most {@code maxShared} bytes. */
    static String defaultTf32Variant(int maxShared) {
        for (String v : DEFAULT_TF32_ORDER) {
            if (v.equals(LEGACY_VARIANT) || PipelinedTf32Kernel.Config.of(v).sharedBytes() <= maxShared) return v;
        }
        return LEGACY_VARIANT;
    }

    public Mode mode() { return mode; }

    public void setMode(Mode mode) { this.mode = mode; }

    /** The TF32 kernel variant in use, one of {@link #TF32_VARIANTS}. */
    public String tf32Variant() { PipelinedTf32Kernel k = tf32Kernel; return k == null ? LEGACY_VARIANT : k.name(); }

    /** Picks the TF32 kernel variant (one of {@link #TF32_VARIANTS}); the module loads at its first product. */
    public void setTf32Variant(String variant) {
        String v = variant.trim();
        if (!TF32_VARIANTS.contains(v)) throw new IllegalArgumentException("unknown TF32 GEMM variant '" + variant
                + "' (expected one of " + String.join(", ", TF32_VARIANTS) + ")");
        tf32Kernel = v.equals(LEGACY_VARIANT) ? null : tf32Kernels.computeIfAbsent(v, name -> new PipelinedTf32Kernel(name, backend.kernels));
    }

    /**
     * A pipelined variant's resident blocks per SM for a transpose form, as the driver computes it; 0 for the legacy
     * kernel (not queried). For benchmark reports.
     */
    public int tf32BlocksPerSm(String variant, boolean transA, boolean transB) {
        if (variant.equals(LEGACY_VARIANT)) return 0;
        return tf32Kernels.computeIfAbsent(variant, name -> new PipelinedTf32Kernel(name, backend.kernels)).blocksPerSm(transA, transB);
    }

    /** The {@link trdetr.backend.Backend#matmul} contract; a and b are packed (contiguous from offset 0). */
    Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        MatmulShape ms = MatmulShape.of(a.shape(), b.shape(), transA, transB);
        Tensor out = backend.empty(a.dtype(), ms.outShape());
        if (out.numel() == 0) return out;
        if (ms.k() == 0) { backend.fill(out, 0); return out; }
        Mode effective = a.dtype() == DType.FLOAT32 ? effectiveMode() : Mode.EXACT;
        switch (effective) {
            case TF32 -> tf32(out, a, b, ms, transA, transB);
            case CUBLAS -> CublasGemm.get().sgemm(storage(out), storage(a), storage(b), ms.m(), ms.n(), ms.k(), transA, transB,
                    ms.strideA(), ms.strideB(), ms.batch());
            default -> exact(out, a, b, ms, transA, transB);
        }
        return out;
    }

    /** The mode FP32 products actually use here: the chosen one, unless this machine cannot run it. */
    public synchronized Mode effectiveMode() {
        Mode m = mode;
        if (m == Mode.TF32 && backend.device.computeMajor() < 8) {
            if (!tf32Logged) System.err.println("gemm: TF32 tensor cores need compute capability 8.0+, this GPU is "
                    + backend.device.computeCapability() + "; using the exact FP32 kernel");
            tf32Logged = true;
            return Mode.EXACT;
        }
        if (m == Mode.CUBLAS) {
            boolean loaded = CublasGemm.get() != null;
            if (!cublasLogged) System.err.println(loaded ? "gemm: using cuBLAS (JCublas2)"
                    : "gemm: cuBLAS not used (" + CublasGemm.unavailableReason() + "); using the exact FP32 kernel");
            cublasLogged = true;
            if (!loaded) return Mode.EXACT;
        }
        return m;
    }

    private void exact(Tensor out, Tensor a, Tensor b, MatmulShape ms, boolean transA, boolean transB) {
        backend.kernels.launch3(KernelTable.GEMM.of(a.dtype()), new int[] {(ms.n() + 63) / 64, (ms.m() + 63) / 64, ms.batch()},
                new int[] {256, 1, 1}, 0, out, a, b, ms.m(), ms.n(), ms.k(), transA ? 1 : 0, transB ? 1 : 0, ms.strideA(), ms.strideB());
    }

    private void tf32(Tensor out, Tensor a, Tensor b, MatmulShape ms, boolean transA, boolean transB) {
        PipelinedTf32Kernel variant = tf32Kernel;
        if (variant == null) legacyTf32(out, a, b, ms, transA, transB);
        else pipelinedTf32(variant, out, a, b, ms, transA, transB);
    }

    /** kernels/gemm_tf32.cu: 128×128 tiles, BK = 16, register-staged double buffering. */
    private void legacyTf32(Tensor out, Tensor a, Tensor b, MatmulShape ms, boolean transA, boolean transB) {
        int m = ms.m(), n = ms.n(), k = ms.k(), batch = ms.batch();
        int splits = legacySplitsFor(m, n, k, batch);
        int kTiles = (k + TF32_BK - 1) / TF32_BK, tilesPerSplit = (kTiles + splits - 1) / splits;
        splits = (kTiles + tilesPerSplit - 1) / tilesPerSplit;   // no empty split
        KernelTable.Kernel kernel = KernelTable.GEMM_TF32.of(transA, transB);
        int[] grid = {(n + TF32_TILE - 1) / TF32_TILE, (m + TF32_TILE - 1) / TF32_TILE, 0};
        splitK(out, ms, splits, tilesPerSplit * TF32_BK, (target, s, kPerSplit) -> {
            grid[2] = batch * s;
            backend.kernels.launch3(kernel, grid, new int[] {256, 1, 1}, 0, target, a, b, m, n, k, ms.strideA(),
                    ms.strideB(), s, kPerSplit, batch);
        });
    }

    /** A kernels/gemm_tf32_NAME.cu variant: cp.async pipeline, split-K sized for its tile. */
    private void pipelinedTf32(PipelinedTf32Kernel variant, Tensor out, Tensor a, Tensor b, MatmulShape ms, boolean transA,
                               boolean transB) {
        int m = ms.m(), n = ms.n(), k = ms.k(), batch = ms.batch();
        PipelinedTf32Kernel.Plan plan = variant.plan(m, n, k, batch, backend.device.multiprocessors());
        int vecA = PipelinedTf32Kernel.copyWidth(transA ? m : k, ms.strideA());
        int vecB = PipelinedTf32Kernel.copyWidth(transB ? k : n, ms.strideB());
        splitK(out, ms, plan.splits(), plan.kPerSplit(), (target, s, kPerSplit) -> variant.launch(target, a, b, m, n, k,
                ms.strideA(), ms.strideB(), new PipelinedTf32Kernel.Plan(s, kPerSplit), batch, transA, transB, vecA, vecB));
    }

    /** Launches one product into `target` (C, or the workspace of `splits` slices) with K cut into kPerSplit ranges. */
    private interface SplitLaunch {
        void launch(Object target, int splits, int kPerSplit);
    }

    /**
     * Runs a product with K cut into `splits` ranges: with one, straight into out; with more, into a workspace
     * slice per split that gemm_tf32_reduce then adds in order (deterministic, no atomics).
     */
    private void splitK(Tensor out, MatmulShape ms, int splits, int kPerSplit, SplitLaunch launch) {
        if (splits == 1) {
            launch.launch(out, 1, ms.k());
            return;
        }
        long count = (long) ms.batch() * ms.m() * ms.n();
        CudaStorage partial = new CudaStorage(backend, backend.allocator, DType.FLOAT32, (int) (splits * count));
        try {
            launch.launch(partial, splits, kPerSplit);
            backend.kernels.launch(KernelTable.GEMM_TF32_REDUCE, Kernels.gridFor(count), out, partial, count, splits);
        } finally {
            partial.release();   // stream-ordered: the allocator may hand the block out again at once
        }
    }

    /**
     * The legacy kernel's split-K factor: when the output tiles (times the batch) cannot fill the GPU (two resident
     * blocks per SM), split K so that they do, keeping at least 8 K-steps (128) per split and the workspace under
     * 2³¹ floats.
     */
    private int legacySplitsFor(int m, int n, int k, int batch) {
        long tiles = (long) batch * ((m + TF32_TILE - 1) / TF32_TILE) * ((n + TF32_TILE - 1) / TF32_TILE);
        long slots = 2L * backend.device.multiprocessors();
        if (tiles >= slots) return 1;
        long byK = Math.max(1, k / (8 * TF32_BK));
        long splits = Math.min(Math.min((slots + tiles - 1) / tiles, byK), 16);
        while (splits > 1 && splits * batch * m * n > Integer.MAX_VALUE) splits--;
        return (int) splits;
    }

    private static CudaStorage storage(Tensor t) { return (CudaStorage) t.storage(); }

    /**
     * The TF32 mma.sync ceiling of this GPU in TFLOP/s: kernel mma_tf32_peak issues back-to-back independent
     * m16n8k8 products on registers, 8 warps × 4 blocks per SM (all resident at 46 registers), no memory traffic. The best of 5 timed runs.
     * Throws {@link IllegalStateException} on GPUs without TF32 tensor cores.
     */
    public double measureTf32PeakTflops() {
        if (backend.device.computeMajor() < 8) throw new IllegalStateException("TF32 tensor cores need compute capability 8.0+");
        int blocks = 4 * backend.device.multiprocessors(), warps = 8, iters = 4096;
        Tensor sink = backend.empty(DType.FLOAT32, blocks * 256);
        double best = Double.MAX_VALUE;
        try (GpuTimer timer = new GpuTimer()) {
            for (int rep = 0; rep < 6; rep++) {
                timer.start();
                backend.kernels.launch3(KernelTable.MMA_TF32_PEAK, new int[] {blocks, 1, 1}, new int[] {256, 1, 1}, 0,
                        sink, iters, 1.0f);
                double ms = timer.stopMillis();
                if (rep > 0) best = Math.min(best, ms);   // the first run includes the PTX JIT warm-up
            }
        }
        double flops = (double) blocks * warps * iters * 8 * 2 * 16 * 8 * 8;
        return flops / (best * 1e-3) / 1e12;
    }
}
