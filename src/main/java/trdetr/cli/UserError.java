package trdetr.cli;

/** A problem with the user's input: printed as one line, no stack trace, non-zero exit. */
public final class UserError extends RuntimeException {
    public UserError(String message) { super(message); }
}
