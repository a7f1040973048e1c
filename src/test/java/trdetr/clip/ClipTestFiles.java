package trdetr.clip;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tokenizer tests' inputs: src/test/resources/clip (written by tools/clip_tokenizer_reference.py) and CLIP's merges
 * in ../shared/fixtures/clip (optional: the tests that need them skip, saying why, where it is absent).
 */
final class ClipTestFiles {
    private ClipTestFiles() {}

    static final Path SHARED = Path.of("..", "shared", "fixtures");

    /** A file of src/test/resources/clip. */
    static Path resource(String name) {
        try {
            return Path.of(ClipTestFiles.class.getResource("/clip/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource clip/" + name + " not found", e);
        }
    }

    /** ../shared/fixtures/clip/bpe_simple_vocab_16e6.txt.gz, or a skip where it is absent. */
    static Path openAiBpe() {
        Path gz = SHARED.resolve("clip").resolve("bpe_simple_vocab_16e6.txt.gz");
        assumeTrue(Files.isRegularFile(gz), gz + " is absent (CLIP's merges; see ../shared/fixtures/README.md)");
        return gz;
    }

    private static ClipTokenizer tokenizer;

    /** The tokenizer on CLIP's own merges (read once), or a skip where they are absent. */
    static synchronized ClipTokenizer tokenizer() throws IOException {
        Path gz = openAiBpe();
        if (tokenizer == null) tokenizer = ClipTokenizer.fromOpenAiBpe(gz);
        return tokenizer;
    }

    /**
     * A Hugging Face CLIP folder made from OpenAI's file in {@code dir}, laid out as Hugging Face's are: vocab.json
     * (the reference's encoder, token to id, in id order) and merges.txt ("#version: 0.2", then CLIP's 48,894 merges).
     */
    static Path huggingFaceFolder(Path dir) throws IOException {
        tokenizer().bpe().writeHuggingFace(dir);
        return dir;
    }
}
