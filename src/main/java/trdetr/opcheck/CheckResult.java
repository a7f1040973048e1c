package trdetr.opcheck;

/** The outcome of one check, printed as one line: "ok" or "FAIL", what it measured, and why it failed. */
public interface CheckResult {
    /** Why the check failed, or null when it passed. */
    String failure();

    /** The case's name and the errors it measured, as printed. */
    String body();

    default boolean passed() { return failure() == null; }

    default String line() { return (passed() ? "ok   " : "FAIL ") + body() + (passed() ? "" : "  <- " + failure()); }
}
