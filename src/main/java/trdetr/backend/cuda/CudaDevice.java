package trdetr.backend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * The one GPU this process uses (device 0), through JCuda's driver API: the native binding is loaded, the driver
 * initialised and the device's primary context made current on first use. Everything runs on the legacy default
 * stream, so kernels and copies are ordered as they are issued and a freed buffer can be reused at once.
 */
public final class CudaDevice {
    private static volatile CudaDevice instance;
    private static volatile String unavailable;

    private final CUcontext context;
    private final String name;
    private final long totalMemory;
    private final int major, minor, driverVersion, multiprocessors;
    private final int maxSharedPerBlock;
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

    private CudaDevice() {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (count[0] == 0) throw new IllegalStateException("the driver reports no CUDA device");
        CUdevice device = new CUdevice();
        cuDeviceGet(device, 0);
        context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        current.set(true);
        byte[] raw = new byte[256];
        cuDeviceGetName(raw, raw.length, device);
        int end = 0;
        while (end < raw.length && raw[end] != 0) end++;
        name = new String(raw, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
        long[] mem = new long[1];
        cuDeviceTotalMem(mem, device);
        totalMemory = mem[0];
        int[] v = new int[1];
        cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        major = v[0];
        cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        minor = v[0];
        cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
        multiprocessors = v[0];
        cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, device);
        maxSharedPerBlock = v[0];
        cuDriverGetVersion(v);
        driverVersion = v[0];
    }

    /** The device, initialised on first call; throws {@link IllegalStateException} with one line if there is none. */
    public static CudaDevice get() {
        CudaDevice d = instance;
        if (d != null) { d.makeCurrent(); return d; }
        synchronized (CudaDevice.class) {
            if (instance != null) return instance;
            if (unavailable != null) throw new IllegalStateException(unavailable);
            try {
                instance = new CudaDevice();
                return instance;
            } catch (Throwable e) {
                unavailable = "no usable CUDA GPU: " + describe(e);
                throw new IllegalStateException(unavailable);
            }
        }
    }

    /** Whether a GPU and driver are usable (initialises the device when they are). */
    public static boolean isAvailable() {
        try { get(); return true; } catch (IllegalStateException e) { return false; }
    }

    /** Why {@link #isAvailable} is false, or null. */
    public static String unavailableReason() {
        return isAvailable() ? null : unavailable;
    }

    private static String describe(Throwable e) {
        // UnsatisfiedLinkError: no libcuda.so.1 (no driver) or an unsupported platform for the JCuda natives.
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        if (e instanceof UnsatisfiedLinkError || e.getCause() instanceof UnsatisfiedLinkError) {
            return "the NVIDIA driver (libcuda.so.1) could not be loaded (" + m + ")";
        }
        return m;
    }

    /** The driver API calls on a thread need the context current on that thread. */
    void makeCurrent() {
        if (!current.get()) {
            cuCtxSetCurrent(context);
            current.set(true);
        }
    }

    public void synchronize() {
        makeCurrent();
        cuCtxSynchronize();
    }

    public String name() { return name; }

    public long totalMemory() { return totalMemory; }

    public String computeCapability() { return major + "." + minor; }

    public int computeMajor() { return major; }

    /** The most shared memory one block may use once it opts in (bytes): 227 KB on Hopper, 99 KB on sm_86/89. */
    public int maxSharedPerBlock() { return maxSharedPerBlock; }

    /** Streaming multiprocessors: how many blocks fill the GPU (GEMM split-K, the mma peak kernel). */
    public int multiprocessors() { return multiprocessors; }

    /** E.g. "13.0" for a CUDA 13 driver. */
    public String driverVersion() { return driverVersion / 1000 + "." + (driverVersion % 1000) / 10; }

    @Override public String toString() {
        return name + " (compute " + computeCapability() + ", " + (totalMemory >> 20) + " MiB, driver CUDA " + driverVersion() + ")";
    }
}
