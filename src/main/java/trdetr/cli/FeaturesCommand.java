package trdetr.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import trdetr.backend.Backend;
import trdetr.backend.cpu.Parallel;
import trdetr.clip.ClipModel;
import trdetr.clip.ClipTokenizer;
import trdetr.features.ClipFeatureExtractor;
import trdetr.features.FeatureFiles;
import trdetr.io.FormatException;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;
import trdetr.video.Ffmpeg;

/**
 * {@code trdetr features}: CLIP features of a folder of videos and of a query file, in the official layout
 * ({@code OUT/clip_features/{vid}.npz}, {@code OUT/clip_text_features/qid{qid}.npz}), which {@code train} and
 * {@code predict} read with {@code --v-feat-dirs OUT/clip_features --t-feat-dir OUT/clip_text_features}.
 */
@Command(name = "features", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compute CLIP features from video files and queries, as the released QVHighlights features were made:",
                "one frame per clip (--clip-length seconds), resized and centre-cropped by FFmpeg, encoded by CLIP's image tower;",
                "each query's per-token states from CLIP's text tower. Writes OUT/clip_features/{vid}.npz (key features) and",
                "OUT/clip_text_features/qid{qid}.npz (keys last_hidden_state, pooler_output). Files already there are kept",
                "(a stopped run resumes) unless --overwrite. Decoding needs FFmpeg's ffmpeg and ffprobe programs."})
final class FeaturesCommand implements Callable<Integer> {
    /** Extensions taken from --videos (FFmpeg reads many more; name a file's folder and rename it if needed). */
    static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "m4v", "mov", "webm", "mkv", "avi", "mpg", "mpeg", "ts", "flv", "wmv", "3gp", "ogv");

    @Option(names = "--clip", required = true, paramLabel = "PATH",
            description = "CLIP weights: a Hugging Face CLIP folder (config.json, model.safetensors, vocab.json, merges.txt), e.g. "
                          + "openai/clip-vit-base-patch32, or OpenAI's ViT-B-32.pt (then --bpe for queries).")
    Path clip;
    @Option(names = "--bpe", paramLabel = "FILE", description = "OpenAI's bpe_simple_vocab_16e6.txt.gz, for queries when --clip is a .pt file.")
    Path bpe;
    @Option(names = "--videos", paramLabel = "DIR", description = "Folder of video files (.mp4, .webm, .mkv, ...); the file name without its extension is the vid.")
    Path videos;
    @Option(names = "--queries", paramLabel = "FILE", description = "Query file: jsonl with qid and query fields (the official annotation files are such).")
    Path queries;
    @Option(names = "--out", required = true, paramLabel = "DIR") Path out;
    @Option(names = "--clip-length", defaultValue = "2", description = "Seconds per clip, one frame each (default: ${DEFAULT-VALUE}).") double clipLength;
    @Option(names = "--batch", defaultValue = "60", description = "Frames or queries per CLIP pass (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "float32|float64", description = "Precision of the computation (default: ${DEFAULT-VALUE}); files are float32.") String dtype;
    @Option(names = "--half", description = "Store float16, as the released video features are (HERO's --half_precision).") boolean half;
    @Option(names = "--overwrite", description = "Recompute files that exist.") boolean overwrite;
    @Option(names = "--ffmpeg", paramLabel = "PATH", description = "The ffmpeg program or its folder (default: $" + Ffmpeg.ENV + ", else the PATH).") Path ffmpegPath;
    @Option(names = "--no-progress", description = "No progress bar.") boolean noProgress;
    @Mixin DeviceOption device;
    @Option(names = "--threads") Integer threads;

    @Override public Integer call() throws IOException {
        if (videos == null && queries == null) throw new UserError("give --videos DIR, --queries FILE or both");
        if (batch <= 0) throw new UserError("--batch " + batch + ": must be positive");
        if (!(clipLength > 0) || Double.isInfinite(clipLength)) throw new UserError("--clip-length " + clipLength + ": must be a positive number of seconds");
        DType type = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            default -> throw new UserError("--dtype " + dtype + ": float32 or float64");
        };
        if (!Files.exists(clip)) throw new UserError("--clip " + clip + ": no such file or folder");
        List<Path> videoFiles = videos != null ? videoFiles(videos) : List.of();
        Map<String, String> queryTexts = queries != null ? readQueries(queries) : Map.of();
        Ffmpeg ffmpeg = videoFiles.isEmpty() ? null : Ffmpeg.locate(ffmpegPath);
        ClipTokenizer tokenizer = queryTexts.isEmpty() ? null : tokenizer();
        Backend backend = device.use();
        if (threads != null) Parallel.setThreads(threads);
        ClipModel model = ClipModel.load(clip, backend, type);
        ClipFeatureExtractor extractor = new ClipFeatureExtractor(model, tokenizer, ffmpeg, clipLength, batch);
        FeatureFiles files = new FeatureFiles(out, half);
        if (!videoFiles.isEmpty()) encodeVideos(extractor, files, videoFiles);
        if (!queryTexts.isEmpty()) encodeQueries(extractor, files, queryTexts);
        return 0;
    }

    private ClipTokenizer tokenizer() throws IOException {
        if (bpe != null) return ClipTokenizer.fromOpenAiBpe(bpe);
        if (Files.isDirectory(clip)) return ClipTokenizer.fromHuggingFace(clip);
        throw new UserError("--clip " + clip + " is a file with no tokenizer: give --bpe bpe_simple_vocab_16e6.txt.gz for the queries");
    }

    private void encodeVideos(ClipFeatureExtractor extractor, FeatureFiles files, List<Path> videoFiles) throws IOException {
        List<Path> todo = new ArrayList<>();
        for (Path v : videoFiles) if (overwrite || !Files.exists(files.videoFile(vid(v)))) todo.add(v);
        System.out.printf("videos: %d in %s, %d to encode (%d done before) -> %s%n", videoFiles.size(), videos, todo.size(),
                videoFiles.size() - todo.size(), files.videoDir());
        long frames = 0, start = System.nanoTime();
        try (ProgressBar bar = bar("videos", todo.size())) {
            for (Path v : todo) {
                long before = frames;
                Tensor f = extractor.encodeVideo(v, n -> { if (bar != null) bar.setExtraMessage(" " + vid(v) + ": " + n + " frames"); });
                files.writeVideo(vid(v), f);
                frames = before + f.shape()[0];
                if (bar != null) bar.step();
            }
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("videos: %d frames encoded in %.1f s (%.1f frames/s, decoding included)%n", frames, s, frames / Math.max(s, 1e-9));
    }

    private void encodeQueries(ClipFeatureExtractor extractor, FeatureFiles files, Map<String, String> queryTexts) throws IOException {
        List<String> qids = new ArrayList<>();
        for (String q : queryTexts.keySet()) if (overwrite || !Files.exists(files.queryFile(q))) qids.add(q);
        System.out.printf("queries: %d in %s, %d to encode (%d done before) -> %s%n", queryTexts.size(), queries, qids.size(),
                queryTexts.size() - qids.size(), files.queryDir());
        long start = System.nanoTime();
        try (ProgressBar bar = bar("queries", qids.size())) {
            for (int i = 0; i < qids.size(); i += batch) {
                List<String> part = qids.subList(i, Math.min(qids.size(), i + batch));
                List<ClipFeatureExtractor.QueryFeatures> f = extractor.encodeQueries(part.stream().map(queryTexts::get).toList());
                for (int j = 0; j < part.size(); j++) files.writeQuery(part.get(j), f.get(j));
                if (bar != null) bar.stepBy(part.size());
            }
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("queries: %d encoded in %.1f s (%.1f queries/s)%n", qids.size(), s, qids.size() / Math.max(s, 1e-9));
    }

    private ProgressBar bar(String task, int max) {
        if (noProgress || max == 0) return null;
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).showSpeed().build();
    }

    /** The vid of a video file: its name without the extension (QVHighlights' vids hold dots: only the last part goes). */
    static String vid(Path video) {
        String name = video.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    static List<Path> videoFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new UserError("--videos " + dir + ": no such folder");
        List<Path> found;
        try (Stream<Path> s = Files.list(dir)) {
            found = s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                int dot = n.lastIndexOf('.');
                return dot > 0 && VIDEO_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
            }).sorted().toList();
        }
        if (found.isEmpty()) throw new UserError("--videos " + dir + ": no video files (" + String.join(", ", new java.util.TreeSet<>(VIDEO_EXTENSIONS)) + ")");
        Map<String, Path> byVid = new LinkedHashMap<>();
        for (Path p : found) {
            Path other = byVid.put(vid(p), p);
            if (other != null) throw new UserError("--videos " + dir + ": " + other.getFileName() + " and " + p.getFileName() + " would both be vid " + vid(p));
        }
        return found;
    }

    /** qid (as the file name writes it) to query text, in file order; one-line errors naming the file and line. */
    static Map<String, String> readQueries(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new UserError("--queries " + file + ": no such file");
        ObjectMapper json = new ObjectMapper();
        Map<String, String> out = new LinkedHashMap<>();
        int number = 0;
        for (String line : Files.readAllLines(file)) {
            number++;
            if (line.isBlank()) continue;
            JsonNode row;
            try {
                row = json.readTree(line);
            } catch (JsonProcessingException e) {
                throw new FormatException(file, "line " + number + ": not JSON (" + FormatException.jsonReason(e) + ")");
            }
            JsonNode qid = row.get("qid"), query = row.get("query");
            if (qid == null || !(qid.isIntegralNumber() || qid.isTextual())) throw new FormatException(file, "line " + number + ": no \"qid\" (an integer or a string)");
            if (query == null || !query.isTextual()) throw new FormatException(file, "line " + number + ": no \"query\" string");
            String key = qid.asText();
            String before = out.put(key, query.asText());
            if (before != null && !before.equals(query.asText())) throw new FormatException(file, "line " + number + ": qid " + key + " appears before with another query");
        }
        if (out.isEmpty()) throw new FormatException(file, "no queries");
        return out;
    }
}
