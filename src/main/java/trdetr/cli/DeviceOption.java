package trdetr.cli;

import picocli.CommandLine.Option;
import trdetr.backend.Backend;
import trdetr.backend.Backends;
import trdetr.backend.cuda.CudaBackend;
import trdetr.tensor.Tensor;

/**
 * {@code --device cpu|cuda|auto}, shared by the commands that run the model. {@link #use()} picks the backend and
 * makes it the default one, so everything created afterwards (the model's parameters, loaded weights, batches)
 * lives there. Without a usable GPU, {@code cuda} is a one-line error (exit 2) and {@code auto} falls back to the CPU.
 * {@link Main#run} restores the previous default when the command ends.
 */
final class DeviceOption {
    @Option(names = "--device", defaultValue = "auto", paramLabel = "cpu|cuda|auto",
            description = "Where to compute: cpu, cuda (GPU 0), or auto: cuda when a usable GPU is present, else cpu (default: ${DEFAULT-VALUE}).")
    String device;

    /** The chosen backend, now the default for new tensors; prints which device it is. */
    Backend use() { return use(device); }

    static Backend use(String name) {
        Backend b = Backends.forName(name);
        Tensor.setDefaultBackend(b);
        System.out.println("device: " + (b instanceof CudaBackend c ? "cuda (" + c.device() + ")" : "cpu"));
        return b;
    }
}
