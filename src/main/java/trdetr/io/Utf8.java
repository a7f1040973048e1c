package trdetr.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8, for every text we read from a file (jsonl lines, safetensors and .npy headers, pickle strings, a
 * reference's JSON entries). Java's lenient decoding turns a bad byte into U+FFFD, so a corrupt file would read as
 * different text (a tensor name, a qid) without a word; here it is an error that says where the first bad byte is.
 */
public final class Utf8 {
    private Utf8() {}

    /** Bytes that are not UTF-8: {@link #offset} is where the first bad one is, counted from the start of the text. */
    public static final class Malformed extends IllegalArgumentException {
        public final int offset;

        Malformed(int offset) {
            super("not valid UTF-8 (at byte " + offset + ")");
            this.offset = offset;
        }
    }

    /** The text of {@code b[off, off + len)}, or {@link Malformed}. */
    public static String decode(byte[] b, int off, int len) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, off, len);
        CharBuffer out = CharBuffer.allocate(len);                  // UTF-8 never gives more chars than bytes
        CoderResult r = dec.decode(in, out, true);
        if (!r.isError()) r = dec.flush(out);
        if (r.isError()) throw new Malformed(in.position() - off);  // the decoder stops at the bad sequence
        return out.flip().toString();
    }
}
