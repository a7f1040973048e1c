package trdetr.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import trdetr.clip.ClipTokenizer;
import trdetr.io.Utf8;

/**
 * {@code trdetr tokenize}: CLIP's token ids of each line of standard input, one line of space-separated ids per line,
 * start and end tokens included, cut to the context as {@code clip.tokenize(truncate=True)} does, no padding.
 * tools/clip_tokenizer_reference.py --stdin prints the reference's ids the same way.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Print CLIP's token ids of each line of standard input (UTF-8; lines end at LF, a CR before it dropped):",
                "start token, the text's ids, end token, cut to the context (its last id then the end token)."})
final class TokenizeCommand implements Callable<Integer> {
    static final class Vocabulary {
        @Option(names = "--clip", paramLabel = "DIR", required = true,
                description = "A Hugging Face CLIP folder: vocab.json and merges.txt.")
        Path huggingFace;

        @Option(names = "--bpe", paramLabel = "FILE", required = true,
                description = "OpenAI's bpe_simple_vocab_16e6.txt.gz instead.")
        Path openAi;
    }

    @ArgGroup(multiplicity = "1")
    Vocabulary vocabulary;

    @Option(names = "--context-length", defaultValue = "77", paramLabel = "N", description = "Cut to this many ids (default: ${DEFAULT-VALUE}, every CLIP model's).")
    int contextLength;

    @Option(names = "--no-ftfy", description = "Skip ftfy's fixes, as the reference does with ftfy.fix_text stubbed.")
    boolean noFtfy;

    @Override public Integer call() throws IOException {
        if (contextLength < 2) throw new UserError("--context-length " + contextLength + ": at least 2 (the start and end tokens)");
        ClipTokenizer tokenizer = (vocabulary.huggingFace != null ? ClipTokenizer.fromHuggingFace(vocabulary.huggingFace)
                : ClipTokenizer.fromOpenAiBpe(vocabulary.openAi)).withFtfy(!noFtfy);
        InputStream in = new BufferedInputStream(System.in);
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int number = 0;
        for (int b = in.read(); ; b = in.read()) {
            if (b < 0 && line.size() == 0) break;
            if (b >= 0 && b != '\n') {
                line.write(b);
                continue;
            }
            number++;
            byte[] bytes = line.toByteArray();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            String text;
            try {
                text = Utf8.decode(bytes, 0, length);
            } catch (Utf8.Malformed e) {
                out.flush();
                throw new UserError("standard input line " + number + ": " + e.getMessage());
            }
            int[] ids = tokenizer.tokenize(text, contextLength);
            StringBuilder sb = new StringBuilder(ids.length * 6);
            for (int i = 0; i < ids.length; i++) sb.append(i == 0 ? "" : " ").append(ids[i]);
            out.println(sb);
            if (in.available() == 0) out.flush();
            line.reset();
            if (b < 0) break;
        }
        out.flush();
        return 0;
    }
}
