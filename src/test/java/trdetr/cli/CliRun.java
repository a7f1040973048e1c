package trdetr.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/** Runs a command line in this JVM, capturing what it prints. */
final class CliRun {
    private CliRun() {}

    /** {exit code, stdout, stderr} of {@code Main.run(args)}. */
    static String[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o));
        System.setErr(new PrintStream(e));
        try {
            return new String[] {String.valueOf(Main.run(args)), o.toString(), e.toString()};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
