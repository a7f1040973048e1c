package trdetr.backend.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Times GPU work with a pair of CUDA events on the default stream: the device's own clock between the two
 * records, so host-side latency after the last launch is not counted (host-side launch gaps between kernels
 * are, as they are in real use). For benchmarks only.
 */
public final class GpuTimer implements AutoCloseable {
    private final CUevent start = new CUevent(), stop = new CUevent();

    public GpuTimer() {
        CudaDevice.get();
        cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT);
        cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT);
    }

    public void start() { cuEventRecord(start, null); }

    /** Milliseconds of device time since {@link #start}; waits for the work to finish. */
    public double stopMillis() {
        cuEventRecord(stop, null);
        cuEventSynchronize(stop);
        float[] ms = new float[1];
        cuEventElapsedTime(ms, start, stop);
        return ms[0];
    }

    @Override public void close() {
        cuEventDestroy(start);
        cuEventDestroy(stop);
    }
}
