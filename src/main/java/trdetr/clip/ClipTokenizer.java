package trdetr.clip;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * CLIP's tokenizer, as openai/CLIP's {@code simple_tokenizer.SimpleTokenizer} and {@code clip.tokenize} have it: the
 * text cleaned ({@link ClipTextCleaning}: ftfy's fixes, HTML references decoded twice, spaces collapsed, lower case),
 * split into words ({@link ClipTextSplitter}), each word byte-pair encoded ({@link BytePairEncoding}); then framed by
 * the start and end tokens and cut to the 77-token context as {@code clip.tokenize(..., truncate=True)} does (the
 * first 77 ids, the last of them replaced by the end token).
 *
 * <p>Thread-safe. What is exact and what depends on the Unicode version: docs/clip.md, "Tokenizer".
 */
public final class ClipTokenizer {
    /** The context of every CLIP model. */
    public static final int CONTEXT_LENGTH = 77;

    private final BytePairEncoding bpe;
    private final boolean ftfy;

    private ClipTokenizer(BytePairEncoding bpe, boolean ftfy) {
        this.bpe = bpe;
        this.ftfy = ftfy;
    }

    /** From a Hugging Face CLIP folder ({@code vocab.json}, {@code merges.txt}). */
    public static ClipTokenizer fromHuggingFace(Path dir) throws IOException {
        return new ClipTokenizer(BytePairEncoding.readHuggingFace(dir), true);
    }

    /** From OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}. */
    public static ClipTokenizer fromOpenAiBpe(Path gz) throws IOException {
        return new ClipTokenizer(BytePairEncoding.readOpenAi(gz), true);
    }

    /**
     * This tokenizer with ftfy's fixes on (the reference with ftfy installed, the default) or off (the reference
     * with {@code ftfy.fix_text} stubbed by the identity).
     */
    public ClipTokenizer withFtfy(boolean on) {
        return on == ftfy ? this : new ClipTokenizer(bpe, on);
    }

    /** The byte-pair encoding (vocabulary and merges). */
    public BytePairEncoding bpe() { return bpe; }

    public int startOfText() { return bpe.startOfText(); }

    public int endOfText() { return bpe.endOfText(); }

    /** The ids of the text, without start and end tokens and uncut: {@code SimpleTokenizer.encode(text)}. */
    public int[] encode(String text) {
        int[] ids = new int[16];
        int n = 0;
        for (String word : ClipTextSplitter.split(ClipTextCleaning.clean(text, ftfy))) {
            int[] w = bpe.encodeWord(word);
            if (n + w.length > ids.length) ids = Arrays.copyOf(ids, Math.max(2 * ids.length, n + w.length));
            System.arraycopy(w, 0, ids, n, w.length);
            n += w.length;
        }
        return Arrays.copyOf(ids, n);
    }

    /** Start token, the text's ids, end token, cut to {@link #CONTEXT_LENGTH}; no padding. */
    public int[] tokenize(String text) {
        return tokenize(text, CONTEXT_LENGTH);
    }

    /**
     * Start token, the text's ids, end token; if that is longer than {@code contextLength}, its first
     * {@code contextLength} ids with the last one made the end token ({@code clip.tokenize(text, contextLength,
     * truncate=True)} without the padding).
     */
    public int[] tokenize(String text, int contextLength) {
        if (contextLength < 2) throw new IllegalArgumentException("the context must hold at least the start and end tokens, got " + contextLength);
        int[] body = encode(text);
        int n = Math.min(body.length + 2, contextLength);
        int[] ids = new int[n];
        ids[0] = startOfText();
        System.arraycopy(body, 0, ids, 1, n - 2);
        ids[n - 1] = endOfText();
        return ids;
    }

    /** {@link #tokenize(String)} padded with zeros to {@link #CONTEXT_LENGTH}: one row of {@code clip.tokenize}. */
    public int[] tokenizePadded(String text) {
        return Arrays.copyOf(tokenize(text), CONTEXT_LENGTH);
    }
}
