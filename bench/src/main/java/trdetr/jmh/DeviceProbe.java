package trdetr.jmh;

import trdetr.backend.cuda.CudaDevice;

/**
 * Says whether a usable CUDA GPU is present (tools/bench_jmh.sh asks it before choosing {@code -p device=...}):
 * prints the GPU's name and exits 0, or prints why not ("no usable CUDA GPU: ...") and exits 1.
 */
public final class DeviceProbe {
    private DeviceProbe() {}

    public static void main(String[] args) {
        if (CudaDevice.isAvailable()) {
            System.out.println("cuda: " + CudaDevice.get().name());
            System.exit(0);
        }
        System.out.println(CudaDevice.unavailableReason());
        System.exit(1);
    }
}
