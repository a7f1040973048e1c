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

    /** On CI (no GPU): every command that runs a model says so in one line and exits 2; on a GPU machine this is skipped. */
    @Test
    void deviceCudaWithoutAGpuIsOneLineAndExitTwo() {
        org.junit.jupiter.api.Assumptions.assumeFalse(trdetr.backend.cuda.CudaBackend.isAvailable(), "a GPU is present, so --device cuda works");
        String[][] commands = {{"train"}, {"predict", "--checkpoint", "x.ckpt"}, {"verify", "--reference", "src/test/reference/reference_small.npz"},
                {"gradcheck"}, {"memory-check"}};
        for (String[] command : commands) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 2);
            args[command.length] = "--device";
            args[command.length + 1] = "cuda";
            if (command[0].equals("memory-check")) args = command;                       // always the GPU
            String[] r = capture(args);
            assertThat(r[0]).as(command[0]).isEqualTo("2");
            assertThat(r[2].strip()).as(command[0]).startsWith("error: --device cuda: no usable CUDA GPU: ")
                    .doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void theDeviceOptionIsOnEveryModelCommandAndDefaultsToAuto() {
        for (String command : new String[] {"train", "predict", "verify"}) {
            String help = capture(command, "--help")[1].replaceAll("\\s+", " ");
            assertThat(help).as(command).contains("--device=cpu|cuda|auto").contains("default: auto");
        }
        assertThat(capture("gradcheck", "--help")[1].replaceAll("\\s+", " ")).contains("--device=cpu|cuda|auto").contains("default: cpu");
    }

    @Test
    void verifyPassesOnTheCommittedReferenceAndRejectsBadFiles() throws Exception {
        java.nio.file.Path ref = java.nio.file.Path.of("src/test/reference/reference_small.npz");
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

    /** Keys missing from, extra in or misshapen in a --weights file are that file's fault, and the error names it. */
    @Test
    void verifyBlamesTheWeightsFileForItsOwnKeys() throws Exception {
        java.nio.file.Path ref = java.nio.file.Path.of("src/test/reference/parity_dec1_h4_q3.npz");
        java.util.Map<String, trdetr.tensor.Tensor> w = new java.util.LinkedHashMap<>(trdetr.verify.Reference.load(ref).weights());
        w.remove("transformer.encoder.layers.0.linear2.bias");
        w.put("not.a.parameter", trdetr.tensor.Tensor.of(new float[] {1f}, 1));
        java.nio.file.Path weights = java.nio.file.Files.createTempFile("weights", ".safetensors");
        trdetr.io.SafeTensors.write(weights, w, java.util.Map.of());
        String[] r = capture("verify", "--reference", ref.toString(), "--weights", weights.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].strip()).startsWith("error: " + weights + ": ").contains("transformer.encoder.layers.0.linear2.bias")
                .contains("not.a.parameter").doesNotContain(ref.toString()).doesNotContain("\n");
        java.nio.file.Files.delete(weights);
    }
}
