package trdetr.backend;

import trdetr.tensor.Tensor;

/**
 * Deterministic release of device memory. Buffers a backend allocates while a scope is open on this thread
 * belong to it; closing the scope releases all of them except those {@link #keep kept}, so one training step
 * (its activations, the autograd graph's saved tensors, the temporaries of backward) gives its memory back at
 * once instead of waiting for the garbage collector. Scopes nest: a kept buffer passes to the enclosing scope.
 * On the CPU (garbage-collected host arrays) it is {@link #NONE}.
 */
public interface MemoryScope extends AutoCloseable {
    /** Keeps t's buffer alive when this scope closes (gradients, optimizer state, results used later). */
    void keep(Tensor t);

    @Override void close();

    MemoryScope NONE = new MemoryScope() {
        @Override public void keep(Tensor t) {}

        @Override public void close() {}
    };
}
