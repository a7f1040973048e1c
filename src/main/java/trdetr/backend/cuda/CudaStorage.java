package trdetr.backend.cuda;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import jcuda.driver.CUdeviceptr;
import trdetr.backend.Backend;
import trdetr.tensor.DType;
import trdetr.tensor.Storage;

/**
 * A device buffer. It is released deterministically by the {@link CudaScope} it was allocated in (or by
 * {@link #release}); a buffer that no scope owns is released when it becomes unreachable (a Cleaner), so
 * nothing leaks either way. Using a released buffer is an error, caught when a kernel is launched with it.
 */
final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The shared release action: runs once, from a scope, an explicit call, or the Cleaner. */
    private static final class Release implements Runnable {
        final DeviceAllocator allocator;
        final DeviceAllocator.Block block;
        final AtomicBoolean done = new AtomicBoolean();

        Release(DeviceAllocator allocator, DeviceAllocator.Block block) { this.allocator = allocator; this.block = block; }

        @Override public void run() { if (done.compareAndSet(false, true)) allocator.release(block); }
    }

    private final CudaBackend backend;
    private final DType dtype;
    private final int size;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    /** The scope that releases this buffer when it closes; null when none does. */
    CudaScope owner;

    CudaStorage(CudaBackend backend, DeviceAllocator allocator, DType dtype, int size) {
        this.backend = backend;
        this.dtype = dtype;
        this.size = size;
        this.release = new Release(allocator, allocator.allocate(Math.max(1, (long) size * bytesPer(dtype))));
        this.cleanable = CLEANER.register(this, release);
        CudaScope.adopt(this);
    }

    static int bytesPer(DType t) {
        switch (t) {
            case FLOAT32: return 4;
            case FLOAT64: case INT64: return 8;
            default: return 1;
        }
    }

    CUdeviceptr pointer() {
        if (release.done.get()) {
            throw new IllegalStateException("a " + dtype + " device buffer of " + size + " elements was used after its memory scope"
                    + " released it (keep() tensors that outlive the scope)");
        }
        return release.block.pointer;
    }

    long bytes() { return (long) size * bytesPer(dtype); }

    boolean isReleased() { return release.done.get(); }

    void release() { cleanable.clean(); }

    @Override public Backend backend() { return backend; }

    @Override public DType dtype() { return dtype; }

    @Override public int size() { return size; }
}
