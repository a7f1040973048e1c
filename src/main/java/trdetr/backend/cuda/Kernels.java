package trdetr.backend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import trdetr.tensor.Tensor;

/**
 * Loads the PTX modules shipped in the jar ({@code /kernels/NAME.ptx}, built by tools/build_ptx.sh) with
 * cuModuleLoadData, so the driver JIT-compiles them for whatever GPU is present, and launches their kernels.
 *
 * <p>Kernels are named by their {@link KernelTable} entry, and their arguments are passed as Java objects checked
 * against its declared parameters ({@link KernelTable.Kernel#check}): a {@link Tensor} or {@link CudaStorage} becomes
 * its buffer's base address (null, where a parameter may be none, address 0), an {@code int[]} a struct passed by
 * value (a {@link Layouts layout}), and Integer, Long, Float and Double the scalar of that width. With
 * {@code -Dtrdetr.cuda.sync=true} every launch is followed by a device synchronisation, so an asynchronous kernel
 * fault is reported at the op that caused it.
 */
final class Kernels {
    static final boolean SYNC = Boolean.getBoolean("trdetr.cuda.sync");
    static final int BLOCK = 256;

    private final Map<String, CUmodule> modules = new HashMap<>();
    /** By {@link KernelTable.Kernel#id}, looked up on first launch. */
    private final CUfunction[] functions = new CUfunction[KernelTable.all().size()];

    synchronized CUfunction function(KernelTable.Kernel kernel) {
        CUfunction f = functions[kernel.id];
        if (f == null) {
            f = new CUfunction();
            cuModuleGetFunction(f, module(kernel.module), kernel.name);
            functions[kernel.id] = f;
        }
        return f;
    }

    /** A PTX module of the jar, loaded (JIT-compiled) on first use. */
    synchronized CUmodule module(String module) { return modules.computeIfAbsent(module, Kernels::load); }

    private static CUmodule load(String module) {
        CUmodule m = new CUmodule();
        cuModuleLoadData(m, ptx(module));
        return m;
    }

    /** The text of a PTX module of the jar. */
    static String ptx(String module) {
        String path = "/kernels/" + module + ".ptx";
        try (InputStream in = Kernels.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("PTX module " + path + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read PTX module " + path + ": " + e.getMessage());
        }
    }

    /** Blocks for a grid-stride loop over n elements. */
    static int gridFor(long n) { return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, 1 << 16)); }

    /** A 1-D launch of {@link #BLOCK} threads per block. */
    void launch(KernelTable.Kernel kernel, int grid, Object... args) {
        launch3(kernel, new int[] {grid, 1, 1}, new int[] {BLOCK, 1, 1}, 0, args);
    }

    /** One block of {@link #BLOCK} threads per row (the kernels loop when rows exceed the grid). */
    void launchRows(KernelTable.Kernel kernel, int rows, Object... args) {
        launch3(kernel, new int[] {Math.min(rows, 1 << 16), 1, 1}, new int[] {BLOCK, 1, 1}, 0, args);
    }

    void launch3(KernelTable.Kernel kernel, int[] grid, int[] block, int sharedBytes, Object... args) {
        kernel.check(args);
        CudaDevice.get();
        NativePointerObject[] params = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) params[i] = argument(args[i]);
        cuLaunchKernel(function(kernel), grid[0], grid[1], grid[2], block[0], block[1], block[2], sharedBytes, null,
                Pointer.to(params), null);
        if (SYNC) cuCtxSynchronize();
    }

    /** A checked argument's bytes. */
    private static Pointer argument(Object a) {
        if (a == null) return Pointer.to(new long[] {0L});   // a NULLABLE_PTR with no operand
        if (a instanceof Tensor) {
            Tensor t = (Tensor) a;
            if (!(t.storage() instanceof CudaStorage)) {
                throw new IllegalArgumentException("a " + t.backend().name() + " tensor " + trdetr.tensor.Shape.str(t.shape())
                        + " was passed to a CUDA kernel; move it first with to(backend)");
            }
            return Pointer.to(((CudaStorage) t.storage()).pointer());
        }
        if (a instanceof CudaStorage) return Pointer.to(((CudaStorage) a).pointer());
        if (a instanceof int[]) return Pointer.to((int[]) a);
        if (a instanceof Integer) return Pointer.to(new int[] {(Integer) a});
        if (a instanceof Long) return Pointer.to(new long[] {(Long) a});
        if (a instanceof Double) return Pointer.to(new double[] {(Double) a});
        if (a instanceof Float) return Pointer.to(new float[] {(Float) a});
        throw new IllegalArgumentException("unsupported kernel argument " + a.getClass().getSimpleName());
    }
}
