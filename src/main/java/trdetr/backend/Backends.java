package trdetr.backend;

import trdetr.backend.cpu.CpuBackend;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaDevice;

/** The backends by the names the command line uses: {@code cpu}, {@code cuda}, and {@code auto}. */
public final class Backends {
    private Backends() {}

    /**
     * cpu; cuda (an {@link IllegalArgumentException} with one line when no GPU is usable); auto: cuda when a usable
     * GPU is present, else cpu.
     */
    public static Backend forName(String name) {
        switch (name) {
            case "cpu": return CpuBackend.INSTANCE;
            case "cuda":
                try {
                    return CudaBackend.get();
                } catch (IllegalStateException e) {
                    throw new IllegalArgumentException("--device cuda: " + e.getMessage());
                }
            case "auto": return CudaDevice.isAvailable() ? CudaBackend.get() : CpuBackend.INSTANCE;
            default: throw new IllegalArgumentException("--device " + name + ": expected cpu, cuda or auto");
        }
    }
}
