package trdetr.autograd;

/**
 * Whether ops record history, per thread. {@code try (var g = GradMode.noGrad()) { ... }} is torch.no_grad().
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** A scope in which nothing is recorded; closing it restores the previous mode. */
    public static Scope noGrad() { return set(false); }

    /** A scope in which recording is on again (inside a no-grad scope). */
    public static Scope enableGrad() { return set(true); }

    private static Scope set(boolean on) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = on;
        return () -> flag[0] = previous;
    }

    /** An AutoCloseable whose close cannot throw. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }
}
