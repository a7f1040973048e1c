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

    @Test
    void verifyPassesOnTheCommittedReferenceAndRejectsBadFiles() throws Exception {
        java.nio.file.Path ref = java.nio.file.Path.of("weights/reference_small.npz");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(ref), "weights/reference_small.npz is absent");
        String[] r = capture("verify", "--reference", ref.toString());
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).containsPattern("(?m)^\\d+ checked, 0 failed$").contains("layers:").contains("gradients:");

        assertThat(capture("verify", "--reference", "no/such.npz")[2].strip()).isEqualTo("error: --reference no/such.npz: no such file");
        java.nio.file.Path cut = java.nio.file.Files.createTempFile("cut", ".npz");
        byte[] all = java.nio.file.Files.readAllBytes(ref);
        java.nio.file.Files.write(cut, java.util.Arrays.copyOf(all, all.length / 3));
        String[] bad = capture("verify", "--reference", cut.toString());
        assertThat(bad[0]).isEqualTo("2");
        assertThat(bad[2].strip()).startsWith("error: " + cut).doesNotContain("\n").doesNotContain("Exception");
        java.nio.file.Files.delete(cut);
    }
}
