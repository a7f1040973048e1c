package trdetr.backend.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import trdetr.backend.MemoryScope;
import trdetr.tensor.Tensor;

/** {@link MemoryScope} on the GPU: a per-thread stack of scopes, each owning the buffers allocated under it. */
final class CudaScope implements MemoryScope {
    private static final ThreadLocal<ArrayDeque<CudaScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final CudaScope parent;
    private final List<CudaStorage> owned = new ArrayList<>();
    private boolean closed;

    private CudaScope(CudaScope parent) { this.parent = parent; }

    static CudaScope open() {
        ArrayDeque<CudaScope> stack = STACK.get();
        CudaScope s = new CudaScope(stack.peek());
        stack.push(s);
        return s;
    }

    /** Called for every new buffer: the innermost open scope on this thread owns it. */
    static void adopt(CudaStorage storage) {
        CudaScope s = STACK.get().peek();
        if (s != null) {
            storage.owner = s;
            s.owned.add(storage);
        }
    }

    @Override public void keep(Tensor t) {
        if (t == null || !(t.storage() instanceof CudaStorage)) return;
        CudaStorage storage = (CudaStorage) t.storage();
        if (storage.owner != this) return; // already kept, or owned by an outer scope
        storage.owner = parent;
        if (parent != null) parent.owned.add(storage);
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        ArrayDeque<CudaScope> stack = STACK.get();
        if (stack.peek() != this) throw new IllegalStateException("memory scopes must close in the reverse order they opened");
        stack.pop();
        for (CudaStorage s : owned) if (s.owner == this) s.release();
        owned.clear();
    }
}
