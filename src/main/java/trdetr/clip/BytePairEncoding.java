package trdetr.clip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import trdetr.io.DurableFiles;
import trdetr.io.FormatException;
import trdetr.io.Utf8;

/**
 * CLIP's byte-level byte-pair encoding of one word: its UTF-8 bytes as symbols (each byte a printable character, the
 * last one marked with the end-of-word suffix {@code </w>}), then, while any adjacent pair of symbols is a merge, every
 * occurrence, left to right, of the pair with the lowest merge rank made one symbol. The symbols' ids are the word's
 * tokens.
 *
 * <p>The vocabulary and merges come from a Hugging Face CLIP folder ({@code vocab.json}, {@code merges.txt}) or from
 * OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}, of which CLIP uses the first 48,894 merges and from which it builds
 * its 49,408 ids: the 256 byte symbols, the same with {@code </w>}, one per merge, then the start and end tokens.
 * Either file, malformed, is a {@link FormatException} naming the file and line.
 */
public final class BytePairEncoding {
    /** The end-of-word suffix of a word's last symbol. */
    static final String END_OF_WORD = "</w>";
    /** How many merges of OpenAI's file CLIP uses: a 49,152-id vocabulary less the 256 bytes and two special tokens. */
    static final int CLIP_MERGES = 49152 - 256 - 2;
    private static final int CACHE_LIMIT = 1 << 16;

    /** One merge: its two symbols, and the line of its file (for messages). */
    record Merge(String first, String second, int line) {
        String joined() { return first + second; }
    }

    private final Map<String, Integer> vocabulary;
    private final int[] byteIds = new int[256];
    private final int[] byteEndIds = new int[256];
    /** (first id, second id) as one long -> merge rank. */
    private final HashMap<Long, Integer> ranks = new HashMap<>();
    private final int[] mergeFirst, mergeSecond, mergeResult;
    private final int startOfText, endOfText;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private BytePairEncoding(Map<String, Integer> vocabulary, List<Merge> merges, Path vocabFile, Path mergesFile) {
        this.vocabulary = Collections.unmodifiableMap(vocabulary);
        char[] symbols = byteSymbols();
        for (int b = 0; b < 256; b++) {
            byteIds[b] = id(String.valueOf(symbols[b]), vocabFile, "the byte symbol");
            byteEndIds[b] = id(symbols[b] + END_OF_WORD, vocabFile, "the byte symbol");
        }
        startOfText = id(ClipTextSplitter.START_OF_TEXT, vocabFile, "the start token");
        endOfText = id(ClipTextSplitter.END_OF_TEXT, vocabFile, "the end token");
        mergeFirst = new int[merges.size()];
        mergeSecond = new int[merges.size()];
        mergeResult = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            Merge m = merges.get(rank);
            Integer first = vocabulary.get(m.first()), second = vocabulary.get(m.second()), joined = vocabulary.get(m.joined());
            if (first == null || second == null || joined == null) {
                String missing = first == null ? m.first() : second == null ? m.second() : m.joined();
                throw new FormatException(mergesFile, "line " + m.line() + ": the merge's symbol '" + missing + "' is not in "
                        + (vocabFile == null ? "the vocabulary" : vocabFile.getFileName()));
            }
            mergeFirst[rank] = first;
            mergeSecond[rank] = second;
            mergeResult[rank] = joined;
            ranks.put(pairKey(first, second), rank);          // a repeated pair keeps its last rank, as a Python dict
        }
    }

    private int id(String token, Path vocabFile, String what) {
        Integer id = vocabulary.get(token);
        if (id == null) throw new FormatException(vocabFile, "no id for " + what + " '" + token + "'");
        return id;
    }

    private static long pairKey(int first, int second) {
        return ((long) first << 32) | (second & 0xffffffffL);
    }

    /** The id of the start token {@code <|startoftext|>}. */
    public int startOfText() { return startOfText; }

    /** The id of the end token {@code <|endoftext|>}. */
    public int endOfText() { return endOfText; }

    /** The vocabulary, token to id. */
    public Map<String, Integer> vocabulary() { return vocabulary; }

    /** The merges, in rank order, as {first symbol, second symbol}. */
    public List<String[]> merges() {
        Map<Integer, String> tokens = new HashMap<>();
        vocabulary.forEach((token, id) -> tokens.put(id, token));
        List<String[]> out = new ArrayList<>(mergeFirst.length);
        for (int r = 0; r < mergeFirst.length; r++) out.add(new String[] {tokens.get(mergeFirst[r]), tokens.get(mergeSecond[r])});
        return out;
    }

    /**
     * Writes this vocabulary as a Hugging Face CLIP folder holds it: {@code vocab.json} (token to id, in id order) and
     * {@code merges.txt} (a "#version: 0.2" line, then one merge a line in rank order). Made from OpenAI's file, these
     * are the files Hugging Face's CLIP models ship.
     */
    public void writeHuggingFace(Path dir) throws IOException {
        Map<String, Integer> byId = new LinkedHashMap<>();
        vocabulary.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> byId.put(e.getKey(), e.getValue()));
        Files.createDirectories(dir);
        DurableFiles.writeString(dir.resolve("vocab.json"), new ObjectMapper().writeValueAsString(byId));
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (String[] m : merges()) merges.append(m[0]).append(' ').append(m[1]).append('\n');
        DurableFiles.writeString(dir.resolve("merges.txt"), merges.toString());
    }

    /**
     * The ids of one word of the split (not to be modified). The start and end tokens, as words, are their own ids;
     * any other word is encoded from its UTF-8 bytes. Results are cached.
     */
    int[] encodeWord(String word) {
        int[] ids = cache.get(word);
        if (ids != null) return ids;
        if (word.equals(ClipTextSplitter.START_OF_TEXT)) return new int[] {startOfText};
        if (word.equals(ClipTextSplitter.END_OF_TEXT)) return new int[] {endOfText};
        ids = merge(word.getBytes(StandardCharsets.UTF_8));
        if (cache.size() >= CACHE_LIMIT) cache.clear();
        cache.put(word, ids);
        return ids;
    }

    private int[] merge(byte[] bytes) {
        int n = bytes.length;
        int[] word = new int[n];
        for (int i = 0; i < n; i++) word[i] = i == n - 1 ? byteEndIds[bytes[i] & 0xff] : byteIds[bytes[i] & 0xff];
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                Integer rank = ranks.get(pairKey(word[i], word[i + 1]));
                if (rank != null && rank < best) best = rank;
            }
            if (best == Integer.MAX_VALUE) break;
            int first = mergeFirst[best], second = mergeSecond[best], joined = mergeResult[best];
            int out = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && word[i] == first && word[i + 1] == second) {
                    word[out++] = joined;
                    i += 2;
                } else {
                    word[out++] = word[i++];
                }
            }
            n = out;
        }
        return n == word.length ? word : java.util.Arrays.copyOf(word, n);
    }

    // ---------------------------------------------------------------- the byte symbols

    /**
     * The character that stands for each byte: the printable Latin-1 bytes (! to ~, ¡ to ¬, ® to ÿ) themselves, the
     * other 68 (controls, space, DEL, no-break space, soft hyphen) U+0100, U+0101, ... in byte order.
     */
    static char[] byteSymbols() {
        char[] symbols = new char[256];
        int next = 0x100;
        for (int b = 0; b < 256; b++) symbols[b] = isPrintableByte(b) ? (char) b : (char) next++;
        return symbols;
    }

    private static boolean isPrintableByte(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /**
     * CLIP's vocabulary for a list of merges, as its reference tokenizer builds it (and a Hugging Face folder's
     * vocab.json holds it): the byte symbols, printable bytes first, then the same with {@code </w>}, then each merge's
     * joined symbols, then the start and end tokens; a token that comes twice keeps its last id.
     */
    static Map<String, Integer> clipVocabulary(List<Merge> merges) {
        char[] symbols = byteSymbols();
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) if (isPrintableByte(b)) tokens.add(String.valueOf(symbols[b]));
        for (int b = 0; b < 256; b++) if (!isPrintableByte(b)) tokens.add(String.valueOf(symbols[b]));
        for (int i = 0; i < 256; i++) tokens.add(tokens.get(i) + END_OF_WORD);
        for (Merge m : merges) tokens.add(m.joined());
        tokens.add(ClipTextSplitter.START_OF_TEXT);
        tokens.add(ClipTextSplitter.END_OF_TEXT);
        Map<String, Integer> vocabulary = new LinkedHashMap<>();
        for (int id = 0; id < tokens.size(); id++) vocabulary.put(tokens.get(id), id);
        return vocabulary;
    }

    // ---------------------------------------------------------------- reading the files

    /** OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}: its first line is a header, the next 48,894 are CLIP's merges. */
    public static BytePairEncoding readOpenAi(Path gz) throws IOException {
        List<Merge> merges = readOpenAiMerges(gz);
        return new BytePairEncoding(clipVocabulary(merges), merges, null, gz);
    }

    /** The merges CLIP uses from OpenAI's gzip file (lines 2 to 48,895). */
    static List<Merge> readOpenAiMerges(Path gz) throws IOException {
        requireFile(gz, "OpenAI's bpe_simple_vocab_16e6.txt.gz");
        byte[] bytes;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            bytes = in.readAllBytes();
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new FormatException(gz, "not a gzip file (" + e.getMessage() + ")");
        }
        List<String> lines = lines(gz, bytes);
        if (lines.size() > CLIP_MERGES + 1) lines = lines.subList(0, CLIP_MERGES + 1);
        return parseMerges(gz, lines, 1);
    }

    /** A Hugging Face CLIP folder: {@code vocab.json} (token to id) and {@code merges.txt} (a "#version" line, then merges). */
    public static BytePairEncoding readHuggingFace(Path dir) throws IOException {
        Path vocabFile = dir.resolve("vocab.json"), mergesFile = dir.resolve("merges.txt");
        if (!Files.isDirectory(dir)) throw new FormatException(dir, "no such folder (a Hugging Face CLIP folder holds vocab.json and merges.txt)");
        requireFile(vocabFile, "the folder's vocab.json (token to id)");
        requireFile(mergesFile, "the folder's merges.txt");
        Map<String, Integer> vocabulary = readVocabJson(vocabFile);
        List<String> lines = lines(mergesFile, Files.readAllBytes(mergesFile));
        int first = !lines.isEmpty() && lines.get(0).startsWith("#version") ? 1 : 0;
        return new BytePairEncoding(vocabulary, parseMerges(mergesFile, lines, first), vocabFile, mergesFile);
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "no such file (" + what + ")");
    }

    /** The file's text split at '\n' (a trailing '\r' dropped from each line), strictly UTF-8. */
    private static List<String> lines(Path file, byte[] bytes) {
        String text;
        try {
            text = Utf8.decode(bytes, 0, bytes.length);
        } catch (Utf8.Malformed e) {
            int line = 1;
            for (int i = 0; i < e.offset; i++) if (bytes[i] == '\n') line++;
            throw new FormatException(file, "line " + line + ": " + e.getMessage());
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        lines.replaceAll(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
        return lines;
    }

    /** Lines {@code from} on: each two symbols separated by one space. */
    private static List<Merge> parseMerges(Path file, List<String> lines, int from) {
        List<Merge> merges = new ArrayList<>(Math.max(0, lines.size() - from));
        for (int i = from; i < lines.size(); i++) {
            String line = lines.get(i);
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw new FormatException(file, "line " + (i + 1) + ": expected two symbols separated by one space, got '"
                        + (line.length() > 80 ? line.substring(0, 80) + "..." : line) + "'");
            }
            merges.add(new Merge(line.substring(0, space), line.substring(space + 1), i + 1));
        }
        return merges;
    }

    /** A JSON object of token to id: ids whole numbers from 0, no token twice, no id twice. */
    static Map<String, Integer> readVocabJson(Path file) throws IOException {
        Map<String, Integer> vocabulary = new HashMap<>();
        Map<Integer, String> byId = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw at(file, p, "expected a JSON object of token to id");
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String token = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getBigIntegerValue().bitLength() > 31) {
                    throw at(file, p, "the id of '" + token + "' is not a whole number from 0 to 2147483647");
                }
                int id = p.getIntValue();
                if (id < 0) throw at(file, p, "the id of '" + token + "' is negative");
                if (vocabulary.put(token, id) != null) throw at(file, p, "'" + token + "' is given twice");
                String other = byId.put(id, token);
                if (other != null) throw at(file, p, "id " + id + " is given to both '" + other + "' and '" + token + "'");
            }
            if (t != JsonToken.END_OBJECT) throw at(file, p, "expected a token name");
            if (p.nextToken() != null) throw at(file, p, "more after the object");
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            throw new FormatException(file, (where == null ? "" : "line " + where.getLineNr() + ": ") + FormatException.jsonReason(e), e);
        }
        return vocabulary;
    }

    private static FormatException at(Path file, JsonParser p, String message) {
        return new FormatException(file, "line " + p.currentLocation().getLineNr() + ": " + message);
    }
}
