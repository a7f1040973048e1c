package trdetr.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.CudaException;

/**
 * A caching allocator: a released block goes to a free list keyed by its rounded size, and the next request of
 * that size takes it back without a cuMemAlloc (which synchronises the device and costs tens of microseconds).
 * A training step asks for the same sizes every time, so after the first step memory is reused, not grown.
 * Sizes round up to 512 bytes (small) or 2 MiB (large), so near-equal requests share blocks. When the device is
 * out of memory the cache is emptied and the request tried once more.
 */
final class DeviceAllocator {
    static final long SMALL_ROUND = 512, LARGE_ROUND = 2L << 20, LARGE = 1L << 20;

    /** One device buffer. */
    static final class Block {
        final CUdeviceptr pointer;
        final long bytes;

        Block(CUdeviceptr pointer, long bytes) { this.pointer = pointer; this.bytes = bytes; }
    }

    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private long inUse, cached, peakInUse, deviceAllocations;

    static long rounded(long bytes) {
        long unit = bytes <= LARGE ? SMALL_ROUND : LARGE_ROUND;
        return Math.max(unit, (bytes + unit - 1) / unit * unit);
    }

    synchronized Block allocate(long bytes) {
        long size = rounded(bytes);
        ArrayDeque<Block> list = free.get(size);
        Block b = list == null ? null : list.poll();
        if (b != null) {
            cached -= size;
        } else {
            b = new Block(deviceAlloc(size), size);
            deviceAllocations++;
        }
        inUse += size;
        peakInUse = Math.max(peakInUse, inUse);
        return b;
    }

    synchronized void release(Block b) {
        inUse -= b.bytes;
        cached += b.bytes;
        free.computeIfAbsent(b.bytes, k -> new ArrayDeque<>()).push(b);
    }

    private CUdeviceptr deviceAlloc(long size) {
        CUdeviceptr p = new CUdeviceptr();
        try {
            cuMemAlloc(p, size);
        } catch (CudaException e) {
            if (!e.getMessage().contains(CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY))) throw e;
            emptyCache();
            try {
                cuMemAlloc(p, size);
            } catch (CudaException again) {
                throw new IllegalStateException("CUDA out of memory allocating " + (size >> 20) + " MiB (" + (inUse >> 20)
                        + " MiB in use by tensors)");
            }
        }
        return p;
    }

    /** Gives every cached block back to the driver. */
    synchronized void emptyCache() {
        for (ArrayDeque<Block> list : free.values()) for (Block b : list) cuMemFree(b.pointer);
        free.clear();
        cached = 0;
    }

    synchronized long bytesInUse() { return inUse; }

    synchronized long bytesCached() { return cached; }

    synchronized long peakBytesInUse() { return peakInUse; }

    synchronized long deviceAllocations() { return deviceAllocations; }

    synchronized void resetPeak() { peakInUse = inUse; }
}
