package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.clip.ClipTokenizer;

/** {@code trdetr tokenize}: standard input's lines to CLIP ids, and its one-line errors. */
class TokenizeCommandTest {
    private static final Path BPE = Path.of("..", "shared", "fixtures", "clip", "bpe_simple_vocab_16e6.txt.gz");

    private static Path bpe() {
        assumeTrue(Files.isRegularFile(BPE), BPE + " is absent (CLIP's merges; see ../shared/fixtures/README.md)");
        return BPE;
    }

    /** {exit code, stdout, stderr} with {@code input} on standard input. */
    private static String[] run(byte[] input, String... args) {
        InputStream in = System.in;
        System.setIn(new ByteArrayInputStream(input));
        try {
            return CliRun.run(args);
        } finally {
            System.setIn(in);
        }
    }

    private static String[] run(String input, String... args) {
        return run(input.getBytes(StandardCharsets.UTF_8), args);
    }

    @Test void idsOfEachLine(@TempDir Path dir) throws IOException {
        String[] r = run("A photo of a cat.\n\nit’s ﬁne\r\nno newline at the end", "tokenize", "--bpe", bpe().toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        // As tools/clip_tokenizer_reference.py --stdin prints them (with ftfy: ’ straightened, ﬁ taken apart).
        assertThat(r[1]).isEqualTo("49406 320 1125 539 320 2368 269 49407\n49406 49407\n49406 585 568 3797 49407\n"
                + "49406 871 1218 1148 536 518 806 49407\n");
        // The same from a Hugging Face folder; --no-ftfy keeps the curly apostrophe and the ligature; a short context.
        ClipTokenizer.fromOpenAiBpe(bpe()).bpe().writeHuggingFace(dir);
        assertThat(run("A photo of a cat.\n", "tokenize", "--clip", dir.toString())[1]).isEqualTo("49406 320 1125 539 320 2368 269 49407\n");
        assertThat(run("it’s ﬁne\n", "tokenize", "--clip", dir.toString(), "--no-ftfy")[1])
                .isEqualTo("49406 585 728 503 338 171 105 223 1422 49407\n");
        assertThat(run("A photo of a cat.\n", "tokenize", "--clip", dir.toString(), "--context-length", "4")[1]).isEqualTo("49406 320 1125 49407\n");
        assertThat(run("", "tokenize", "--clip", dir.toString())[1]).isEmpty();
    }

    @Test void errorsAreOneLine(@TempDir Path dir) throws IOException {
        String[] r = run("x\n", "tokenize", "--clip", dir.resolve("nothing").toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2]).isEqualTo("error: " + dir.resolve("nothing") + ": no such folder (a Hugging Face CLIP folder holds vocab.json and merges.txt)\n");
        Files.writeString(dir.resolve("vocab.json"), "{}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\nab\n");
        r = run("x\n", "tokenize", "--clip", dir.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2]).isEqualTo("error: " + dir.resolve("merges.txt") + ": line 3: expected two symbols separated by one space, got 'ab'\n");
        r = run(new byte[] {'o', 'k', '\n', (byte) 0xff, '\n'}, "tokenize", "--bpe", bpe().toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).isEqualTo("49406 2481 49407\n");
        assertThat(r[2]).isEqualTo("error: standard input line 2: not valid UTF-8 (at byte 0)\n");
        r = run("x\n", "tokenize");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2]).startsWith("Error: Missing required argument (specify one of these): (--clip=DIR | --bpe=FILE)");
        assertThat(run("x\n", "tokenize", "--bpe", bpe().toString(), "--context-length", "1")[2])
                .isEqualTo("error: --context-length 1: at least 2 (the start and end tokens)\n");
    }
}
