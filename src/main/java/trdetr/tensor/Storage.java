package trdetr.tensor;

import trdetr.backend.Backend;

/** A flat buffer of elements owned by one backend (host arrays on the CPU, device memory on CUDA). */
public interface Storage {
    Backend backend();

    DType dtype();

    int size();
}
