package trdetr.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupted fixtures (bytes changed, removed, inserted) and random pickles: every reader either succeeds or throws a
 * one-line FormatException naming the file; nothing else escapes (no NullPointerException, ClassCastException,
 * OutOfMemoryError, ...).
 */
class HostileInputTest {
    @TempDir Path tmp;

    interface Reader {
        Object read(Path p) throws IOException;
    }

    private static void expectCleanOutcome(Reader reader, Path p, String what, List<String> problems) {
        try {
            reader.read(p);
        } catch (FormatException e) {
            if (!e.getMessage().startsWith(p + ": ") || e.getMessage().contains("\n")) problems.add(what + ": badly formed message: " + e.getMessage());
        } catch (Throwable t) {
            problems.add(what + ": " + t);
        }
    }

    @Test
    void corruptedFilesFailCleanly() throws IOException {
        Map<String, Reader> readers = new LinkedHashMap<>();
        for (String n : new String[] {"f32.npy", "i64_be.npy", "v3.npy"}) readers.put(n, Npy::read);
        for (String n : new String[] {"stored.npz", "deflated.npz"}) readers.put(n, Npz::read);
        readers.put("tensors.safetensors", SafeTensors::read);
        for (String n : new String[] {"sd_zip.pt", "sd_legacy.pt", "ckpt_zip.pth", "ckpt_legacy.pth"}) readers.put(n, TorchCheckpoint::load);
        Random rnd = new Random(7);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Reader> e : readers.entrySet()) {
            byte[] orig = Files.readAllBytes(Fixtures.file(e.getKey()));
            Path p = tmp.resolve(e.getKey());
            for (int trial = 0; trial < 300; trial++) {
                byte[] b = orig.clone();
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                int at = rnd.nextInt(b.length);
                if (trial % 3 == 0) { // remove a few bytes
                    int n = Math.min(1 + rnd.nextInt(8), b.length - at);
                    byte[] c = new byte[b.length - n];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + n, c, at, b.length - at - n);
                    b = c;
                } else if (trial % 3 == 1) { // insert a few
                    byte[] c = new byte[b.length + 3];
                    System.arraycopy(b, 0, c, 0, at);
                    for (int i = 0; i < 3; i++) c[at + i] = (byte) rnd.nextInt(256);
                    System.arraycopy(b, at, c, at + 3, b.length - at);
                    b = c;
                }
                Files.write(p, b);
                expectCleanOutcome(e.getValue(), p, e.getKey() + " trial " + trial, problems);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void randomPicklesFailCleanly() throws IOException {
        byte[] ops = "().0123NIJKMXUTCBGabcdeghjlpqrstu}]N\u0080\u0081\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f\u0090\u0091\u0092\u0093\u0094\u0095QR"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Random rnd = new Random(11);
        List<String> problems = new ArrayList<>();
        Path p = tmp.resolve("random.pt");
        for (int trial = 0; trial < 1500; trial++) {
            byte[] pkl = new byte[2 + rnd.nextInt(40)];
            pkl[0] = (byte) 0x80;
            pkl[1] = 2;
            for (int i = 2; i < pkl.length; i++) pkl[i] = rnd.nextInt(3) == 0 ? (byte) rnd.nextInt(256) : ops[rnd.nextInt(ops.length)];
            pkl[pkl.length - 1] = '.';
            try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
                z.putNextEntry(new ZipEntry("r/data.pkl"));
                z.write(pkl);
                z.closeEntry();
            }
            expectCleanOutcome(TorchCheckpoint::load, p, "pickle " + java.util.HexFormat.of().formatHex(pkl), problems);
        }
        assertThat(problems).isEmpty();
    }
}
