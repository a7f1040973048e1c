package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class MainTest {
    private static String[] capture(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o));
        System.setErr(new PrintStream(e));
        try {
            int code = Main.run(args);
            return new String[] {String.valueOf(code), o.toString(), e.toString()};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void gradcheckPrintsOneLinePerOpAndASummary() {
        String[] r = capture("gradcheck", "--op", "matmul");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("ok   matmul").containsPattern("(?m)^\\d+ ops checked, 0 failed$");
    }

    @Test
    void anUnknownDeviceIsOneLineAndNonZero() {
        String[] r = capture("gradcheck", "--device", "tpu");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].strip()).startsWith("error: --device tpu").doesNotContain("\n").doesNotContain("Exception");
    }
}
