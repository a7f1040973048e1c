package trdetr.backend.cuda;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuOccupancyMaxActiveBlocksPerMultiprocessor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.CudaException;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUshared_carveout;

/**
 * One multi-stage cp.async TF32 GEMM variant: kernels/gemm_tf32_NAME.cu (on kernels/gemm_tf32_pipelined.cuh),
 * shipped as PTX module gemm_tf32_NAME with kernels gemm_tf32_NAME_{nn,nt,tn,tt} ({@link KernelTable#GEMM_TF32_PIPELINED}).
 * The module states its own tile, threads and shared-memory size (constant gemm_tf32_config, read from the PTX text),
 * so nothing here repeats the CUDA side's numbers.
 *
 * <p>Before a kernel's first launch its dynamic shared-memory limit is raised to what it needs (above the default
 * 48 KB) and the shared-memory carveout set to the maximum, so that MIN_BLOCKS blocks fit on an SM.
 */
final class PipelinedTf32Kernel {
    /** The variants, in kernels/gemm_tf32_NAME.cu: p{tile m}x{tile n}w{warp m}x{warp n}s{stages}. */
    static final List<String> NAMES = List.copyOf(KernelTable.GEMM_TF32_PIPELINED.keySet());

    /** What the module reports: block tile, K step, threads per block, dynamic shared memory, pipeline stages. */
    record Config(int tileM, int tileN, int bk, int threads, int sharedBytes, int stages) {
        private static final Pattern CONFIG = Pattern.compile("\\.b8 gemm_tf32_config\\[24\\] = \\{([0-9, ]*)\\}");

        /**
         * Read from the module's PTX text, where the constant gemm_tf32_config appears as its initialiser's bytes
         * (little-endian; nvcc leaves out trailing zero bytes): no device needed, so it is testable anywhere.
         */
        static Config ofPtx(String variant, String ptx) {
            Matcher mt = CONFIG.matcher(ptx);
            if (!mt.find()) throw new IllegalStateException("PTX of TF32 GEMM variant " + variant + " has no gemm_tf32_config");
            byte[] bytes = new byte[24];
            String[] parts = mt.group(1).split(",");
            for (int i = 0; i < parts.length && i < bytes.length; i++) bytes[i] = (byte) Integer.parseInt(parts[i].trim());
            int[] v = new int[6];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
            return new Config(v[0], v[1], v[2], v[3], v[4], v[5]);
        }

        /** A variant's configuration, read from its module in the jar. */
        static Config of(String variant) { return ofPtx(variant, Kernels.ptx(KernelTable.GEMM_TF32_PIPELINED.get(variant).module)); }
    }

    /** A planned launch: K cut into `splits` ranges of kPerSplit (a multiple of bk). */
    record Plan(int splits, int kPerSplit) {}

    private final String name;
    private final KernelTable.PerForm forms;
    private final Kernels kernels;
    private Config config;
    private final Map<KernelTable.Kernel, Integer> blocksPerSm = new HashMap<>();

    PipelinedTf32Kernel(String name, Kernels kernels) {
        if (!NAMES.contains(name)) throw new IllegalArgumentException("unknown TF32 GEMM variant '" + name + "'");
        this.name = name;
        this.forms = KernelTable.GEMM_TF32_PIPELINED.get(name);
        this.kernels = kernels;
    }

    String name() { return name; }

    synchronized Config config() {
        if (config == null) config = Config.of(name);
        return config;
    }

    /** A transpose form's kernel, its limits raised on first use; its blocks per SM. */
    private synchronized int prepare(KernelTable.Kernel kernel) {
        Integer known = blocksPerSm.get(kernel);
        if (known != null) return known;
        Config c = config();
        CUfunction f = kernels.function(kernel);
        try {
            cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, c.sharedBytes());
        } catch (CudaException e) {   // e.g. sm_86/89 allow 99 KB per block
            throw new IllegalStateException("TF32 GEMM variant " + name + " needs " + c.sharedBytes()
                    + " bytes of shared memory per block, more than this GPU allows (" + e.getMessage() + ")");
        }
        cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT,
                CUshared_carveout.CU_SHAREDMEM_CARVEOUT_MAX_SHARED);
        int[] n = new int[1];
        cuOccupancyMaxActiveBlocksPerMultiprocessor(n, f, c.threads(), c.sharedBytes());
        if (n[0] < 1) throw new IllegalStateException("TF32 GEMM variant " + name + " cannot run on this GPU ("
                + c.sharedBytes() + " bytes of shared memory, " + c.threads() + " threads per block)");
        blocksPerSm.put(kernel, n[0]);
        return n[0];
    }

    /** Resident blocks per SM of a form's kernel, as the driver computes it (registers, shared memory, threads). */
    int blocksPerSm(boolean transA, boolean transB) { return prepare(forms.of(transA, transB)); }

    /** The split-K plan for an m×n×k product of `batch` on a GPU with `multiprocessors` SMs. */
    Plan plan(int m, int n, int k, int batch, int multiprocessors) {
        Config c = config();
        long tiles = (long) batch * ceilDiv(m, c.tileM()) * ceilDiv(n, c.tileN());
        int kSteps = ceilDiv(k, c.bk());
        int splits = SplitKPolicy.splits(tiles, kSteps, multiprocessors, c.tileM(), c.tileN(), c.bk(), (long) batch * m * n, batch);
        return new Plan(splits, SplitKPolicy.stepsPerSplit(kSteps, splits) * c.bk());
    }

    /**
     * Launches C (or the split-K workspace, `target`) = op(A)·op(B); vecA/vecB are the copy widths in floats (see
     * {@link #copyWidth}).
     */
    void launch(Object target, Object a, Object b, int m, int n, int k, long strideA, long strideB, Plan plan, int batch,
                boolean transA, boolean transB, int vecA, int vecB) {
        KernelTable.Kernel kernel = forms.of(transA, transB);
        prepare(kernel);
        Config c = config();
        int[] grid = {ceilDiv(n, c.tileN()), ceilDiv(m, c.tileM()), batch * plan.splits()};
        kernels.launch3(kernel, grid, new int[] {c.threads(), 1, 1}, c.sharedBytes(), target, a, b, m, n, k,
                strideA, strideB, plan.splits(), plan.kPerSplit(), batch, vecA, vecB);
    }

    /**
     * The widest cp.async (4, 2 or 1 floats) that every chunk of a packed operand allows: chunks start at multiples
     * of the width along a row, so the row length (leading dimension) and the batch stride must be multiples of it
     * (buffers start 256-byte aligned: cuMemAlloc).
     */
    static int copyWidth(int leadingDimension, long batchStride) {
        for (int w = 4; w > 1; w /= 2) if (leadingDimension % w == 0 && batchStride % w == 0) return w;
        return 1;
    }

    private static int ceilDiv(int a, int b) { return (a + b - 1) / b; }
}
