package trdetr.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every query string of the official QVHighlights, TVSum and Charades-STA annotation files
 * (../shared/fixtures/official/data) tokenizes to exactly the reference tokenizer's ids: src/test/resources/clip/
 * corpus_digest.txt holds, per file, a hash of each query's ids and of all of them (tools/clip_tokenizer_reference.py;
 * digests only, the annotations are not copied). Skips where the annotations or CLIP's merges are absent.
 */
class ClipCorpusTest {
    /** One annotation file's digests. */
    record FileDigest(String file, int queries, String whole, StringBuilder perQuery) {}

    static List<FileDigest> digests() throws IOException {
        List<FileDigest> out = new ArrayList<>();
        for (String line : Files.readAllLines(ClipTestFiles.resource("corpus_digest.txt"))) {
            if (line.startsWith("#")) continue;
            if (line.startsWith("file ")) {
                String[] f = line.split(" ");
                out.add(new FileDigest(f[1], Integer.parseInt(f[2]), f[3], new StringBuilder()));
            } else {
                out.get(out.size() - 1).perQuery().append(line);
            }
        }
        return out;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test void everyQueryAsTheReference() throws IOException {
        check(ClipTestFiles.tokenizer());
    }

    /** The digests were made with the real ftfy; without it every query gives the same ids (docs/clip.md, "ftfy"). */
    @Test void ftfyChangesNoQuery() throws IOException {
        check(ClipTestFiles.tokenizer().withFtfy(false));
    }

    private static void check(ClipTokenizer tokenizer) throws IOException {
        Path data = ClipTestFiles.SHARED.resolve("official").resolve("data");
        assumeTrue(Files.isDirectory(data), data + " is absent (see ../shared/fixtures/README.md)");
        ObjectMapper json = new ObjectMapper();
        List<FileDigest> digests = digests();
        assertThat(digests).hasSize(7);
        long tokens = 0, queries = 0, nanos = 0;
        for (FileDigest d : digests) {
            List<String> lines = Files.readAllLines(data.resolve(d.file()), StandardCharsets.UTF_8);
            List<String> idLines = new ArrayList<>();
            for (int n = 0; n < lines.size(); n++) {
                if (lines.get(n).isBlank()) continue;
                JsonNode query = json.readTree(lines.get(n)).get("query");
                long t0 = System.nanoTime();
                int[] ids = tokenizer.tokenize(query.asText());
                nanos += System.nanoTime() - t0;
                tokens += ids.length;
                StringBuilder s = new StringBuilder();
                for (int id : ids) s.append(s.length() == 0 ? "" : " ").append(id);
                String idLine = s.toString();
                int k = idLines.size();
                String expected = k < d.queries() ? d.perQuery().substring(4 * k, 4 * k + 4) : "none";
                assertThat(sha256(idLine).substring(0, 4))
                        .as("%s line %d (query %d): ids %s differ from the reference's", d.file(), n + 1, k + 1, idLine)
                        .isEqualTo(expected);
                idLines.add(idLine);
            }
            assertThat(idLines).as("%s: queries", d.file()).hasSize(d.queries());
            assertThat(sha256(String.join("\n", idLines))).as("%s: the digest of all its ids", d.file()).isEqualTo(d.whole());
            queries += idLines.size();
        }
        System.out.printf("corpus: %d queries, %d tokens, all as the reference; %.0f queries/s, %.0f tokens/s (one pass)%n",
                queries, tokens, queries / (nanos / 1e9), tokens / (nanos / 1e9));
        assertThat(queries).isEqualTo(26484);
    }
}
