package trdetr.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import trdetr.backend.Backend;
import trdetr.backend.cpu.CpuBackend;
import trdetr.clip.ClipModel;
import trdetr.clip.ClipTokenizer;
import trdetr.data.DataLoader;
import trdetr.data.DatasetKind;
import trdetr.data.DatasetOptions;
import trdetr.data.MomentDataset;
import trdetr.eval.ScoringRecipe;
import trdetr.eval.SubmissionLine;
import trdetr.eval.TemporalNms;
import trdetr.features.ClipFeatureExtractor;
import trdetr.features.FeatureFiles;
import trdetr.io.FormatException;
import trdetr.model.TrDetr;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;
import trdetr.train.Checkpoint;
import trdetr.video.Ffmpeg;

/**
 * Moment retrieval on a video file: a CLIP folder and a TR-DETR checkpoint trained on CLIP-only video features
 * ({@code v_feat_dim} = CLIP's 512 + 2 TEF columns), a video and sentences in; for each sentence the moments
 * (start, end, score in seconds) and the saliency of every clip out. Moments are clipped to the video (the official
 * post-processing clips to [0, 150] s only, so a span can end after a shorter video); one left empty is dropped.
 *
 * <pre>{@code
 * try (MomentRetriever r = MomentRetriever.open(Path.of("best.ckpt"), Path.of("clip-vit-base-patch32"))) {
 *     MomentRetriever.Result res = r.predict(Path.of("my_video.mp4"), List.of("a man opens the door")).get(0);
 *     res.moments().get(0);   // Moment[start=12.0, end=30.0, score=0.83]
 * }
 * }</pre>
 *
 * <p>The video is encoded once for all its sentences, as {@code trdetr features} encodes it. The model then runs on
 * exactly the path {@code predict} takes for a split (the dataset's L2 normalisation and TEF, collation, the official
 * post-processing), over features written to a temporary folder, so its answer on a video is the answer
 * {@code features} + {@code predict} give.
 *
 * <p><b>Videos longer than the model's {@code max_v_l} clips</b> (150 s for QVHighlights models) are cut into
 * windows of {@code max_v_l} clips, each starting half a window after the one before (the last one ends at the video's
 * end). Each window is predicted on its own, exactly as a video of that length would be, and its moments are moved
 * by the window's start time. The moments of all windows are ranked by score and passed through temporal NMS (IoU
 * {@link #NMS_THRESHOLD}), so a moment that two overlapping windows both find is reported once; a clip's saliency is
 * the mean of its scores in the windows that hold it. A video that fits one window is predicted whole, with no NMS
 * beyond the official post-processing.
 */
public final class MomentRetriever implements AutoCloseable {
    /** IoU above which a lower-scored moment from another window is dropped as a duplicate. */
    public static final double NMS_THRESHOLD = 0.7;
    /** Moments kept per sentence. */
    public static final int TOP_MOMENTS = 10;

    private final TrDetr model;
    private final ClipFeatureExtractor extractor;
    private final int maxClips;
    private final double clipLength;

    /** One moment: start and end in seconds from the video's start, and the model's foreground probability. */
    public record Moment(double start, double end, double score) {}

    /**
     * A sentence's answer: its moments, best first, and the saliency of each clip of the video
     * ({@code clipLength} seconds each, clip i from i·clipLength).
     */
    public record Result(String query, List<Moment> moments, double[] saliency, double clipLength) {
        public int clips() { return saliency.length; }

        /** As a submission line (windows [start, end, score], saliency per clip), e.g. for {@link QueryPicture}. */
        public SubmissionLine toSubmissionLine(Object qid, String vid) {
            return new SubmissionLine(qid, query, vid, moments.stream().map(m -> new double[] {m.start(), m.end(), m.score()}).toList(), saliency.clone());
        }
    }

    public MomentRetriever(TrDetr model, ClipFeatureExtractor extractor) {
        this.model = model;
        this.extractor = extractor;
        this.maxClips = model.config().maxVL();
        this.clipLength = model.config().clipLength();
        requireClipOnly(model, extractor.clip());
    }

    /** A one-line refusal unless the model reads exactly what this CLIP gives: its embeddings + 2 TEF, its text states. */
    static void requireClipOnly(TrDetr model, ClipModel clip) {
        int clipWidth = clip.config().projectionDim();
        int expected = model.config().vFeatDim() + model.config().aFeatDim();
        if (expected != clipWidth + 2 || model.config().aFeatDim() != 0) {
            throw new IllegalArgumentException("the checkpoint's model reads " + expected + " video columns (v_feat_dim with TEF"
                    + (model.config().aFeatDim() > 0 ? " and audio" : "") + "), but CLIP gives " + clipWidth + " + 2 TEF: it needs a model "
                    + "trained on CLIP-only video features (--v-feat-dirs .../clip_features)");
        }
        int textWidth = clip.config().text().hiddenSize();
        if (model.config().tFeatDim() != textWidth) {
            throw new IllegalArgumentException("the checkpoint's model reads " + model.config().tFeatDim() + "-wide text features, but CLIP's text tower gives "
                    + textWidth);
        }
    }

    /**
     * Loads a TR-DETR checkpoint and a CLIP folder (Hugging Face layout, tokenizer included) on {@code backend}, and finds
     * FFmpeg ({@link Ffmpeg#locate}, {@code ffmpeg} null: the environment or the PATH).
     */
    public static MomentRetriever open(Path checkpoint, Path clip, Path ffmpeg, Backend backend) throws IOException {
        if (!Files.isRegularFile(checkpoint)) throw new FormatException(checkpoint, "no such checkpoint file");
        if (!Files.isDirectory(clip)) throw new FormatException(clip, "not a CLIP folder (config.json, model.safetensors, vocab.json, merges.txt)");
        Backend previous = Tensor.setDefaultBackend(backend);
        try {
            return withClip(Checkpoint.loadModel(checkpoint, null), clip, ffmpeg, backend);
        } finally {
            Tensor.setDefaultBackend(previous);
        }
    }

    /** A loaded model with the CLIP folder {@code clip} on {@code backend} and FFmpeg ({@code ffmpeg} as in {@link #open}). */
    public static MomentRetriever withClip(TrDetr model, Path clip, Path ffmpeg, Backend backend) throws IOException {
        if (!Files.isDirectory(clip)) throw new FormatException(clip, "not a CLIP folder (config.json, model.safetensors, vocab.json, merges.txt)");
        ClipModel clipModel = ClipModel.load(clip, backend, DType.FLOAT32);
        requireClipOnly(model, clipModel);                     // before looking for FFmpeg: the more basic mistake first
        ClipFeatureExtractor x = new ClipFeatureExtractor(clipModel, ClipTokenizer.fromHuggingFace(clip), Ffmpeg.locate(ffmpeg),
                model.config().clipLength(), 60);
        return new MomentRetriever(model, x);
    }

    /** {@link #open(Path, Path, Path, Backend)} on the CPU with the system's FFmpeg. */
    public static MomentRetriever open(Path checkpoint, Path clip) throws IOException {
        return open(checkpoint, clip, null, CpuBackend.INSTANCE);
    }

    public ClipFeatureExtractor extractor() { return extractor; }

    public TrDetr model() { return model; }

    /** The video's CLIP features, (clips, 512): one row per clip. */
    public Tensor encodeVideo(Path video) throws IOException {
        return extractor.encodeVideo(video, null);
    }

    /** Each sentence's moments and saliency on the video (encoded once). */
    public List<Result> predict(Path video, List<String> queries) throws IOException {
        return predict(encodeVideo(video), queries);
    }

    /** Each sentence's moments and saliency on a video's CLIP features (clips, 512), e.g. from a cache. */
    public List<Result> predict(Tensor videoFeatures, List<String> queries) throws IOException {
        if (queries.isEmpty()) return List.of();
        for (int i = 0; i < queries.size(); i++) {
            if (queries.get(i) == null || queries.get(i).isBlank()) throw new IllegalArgumentException("query " + (i + 1) + " is empty");
        }
        int clips = videoFeatures.size(0);
        int[] starts = windowStarts(clips, maxClips);
        List<ClipFeatureExtractor.QueryFeatures> text = extractor.encodeQueries(queries);
        Path dir = Files.createTempDirectory("trdetr-retrieve");
        try {
            List<SubmissionLine> lines = predictWindows(dir, videoFeatures, starts, text, queries);
            List<Result> out = new ArrayList<>(queries.size());
            for (int q = 0; q < queries.size(); q++) out.add(merge(queries.get(q), lines, q, queries.size(), starts, clips));
            return out;
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * Where each window starts (in clips): one window when the video fits, else windows of {@code window} clips every
     * {@code window / 2} clips, the last one moved back to end at the video's end.
     */
    public static int[] windowStarts(int clips, int window) {
        if (clips <= window) return new int[] {0};
        int stride = Math.max(1, window / 2);
        List<Integer> s = new ArrayList<>();
        for (int start = 0; start + window < clips; start += stride) s.add(start);
        s.add(clips - window);
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    /** One submission line per (window, query), window-major, from the official prediction path. */
    private List<SubmissionLine> predictWindows(Path dir, Tensor features, int[] starts, List<ClipFeatureExtractor.QueryFeatures> text,
                                                List<String> queries) throws IOException {
        FeatureFiles files = new FeatureFiles(dir, false);
        int clips = features.size(0), nq = queries.size();
        StringBuilder annotations = new StringBuilder();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (int w = 0; w < starts.length; w++) {
            int len = Math.min(maxClips, clips - starts[w]);
            files.writeVideo("w" + w, features.slice(0, starts[w], starts[w] + len).contiguousCopy());
            for (int q = 0; q < nq; q++) {
                String qid = Integer.toString(w * nq + q);
                files.writeQuery(qid, text.get(q));
                var row = json.createObjectNode().put("qid", w * nq + q).put("query", queries.get(q)).put("vid", "w" + w)
                        .put("duration", len * clipLength);
                annotations.append(json.writeValueAsString(row)).append('\n');
            }
        }
        Path annotationFile = dir.resolve("queries.jsonl");
        trdetr.io.DurableFiles.writeString(annotationFile, annotations.toString());
        DatasetOptions options = DatasetOptions.builder(DatasetKind.QVHIGHLIGHTS, annotationFile).videoDirs(files.videoDir()).textDir(files.queryDir())
                .ctxMode("video_tef").maxQueryLength(model.config().maxQL()).maxVideoLength(maxClips).clipLength(clipLength)
                .loadLabels(false).build();
        MomentDataset dataset = MomentDataset.open(options);
        ScoringRecipe scoring = ScoringRecipe.of(DatasetKind.QVHIGHLIGHTS);
        try (DataLoader loader = DataLoader.evaluation(dataset, 32)) {
            return new Predictor(scoring, scoring.postProcessor(clipLength), -1, TOP_MOMENTS, TOP_MOMENTS).predict(model, loader);
        }
    }

    /** A sentence's moments over all windows (moved to video time, ranked, NMS'd) and its mean saliency per clip. */
    private Result merge(String query, List<SubmissionLine> lines, int q, int nq, int[] starts, int clips) {
        double[] sum = new double[clips];
        int[] count = new int[clips];
        List<double[]> windows = new ArrayList<>();
        for (int w = 0; w < starts.length; w++) {
            SubmissionLine line = lines.get(w * nq + q);
            double offset = starts[w] * clipLength, length = Math.min(maxClips, clips - starts[w]) * clipLength;
            for (double[] m : line.windows()) {
                // Within the window: the official post-processing clips to [0, 150] s only, so a span may end past it.
                double st = Math.max(0, Math.min(m[0], length)), ed = Math.max(0, Math.min(m[1], length));
                if (ed > st) windows.add(new double[] {st + offset, ed + offset, m[2]});
            }
            double[] sal = line.saliency();
            for (int i = 0; i < sal.length; i++) {
                sum[starts[w] + i] += sal[i];
                count[starts[w] + i]++;
            }
        }
        double[] saliency = new double[clips];
        for (int i = 0; i < clips; i++) saliency[i] = count[i] == 0 ? Double.NaN : sum[i] / count[i];
        List<double[]> ranked = starts.length == 1 ? windows
                : TemporalNms.apply(windows, NMS_THRESHOLD, windows.size(), TOP_MOMENTS);
        List<Moment> moments = ranked.stream().limit(TOP_MOMENTS).map(m -> new Moment(m[0], m[1], m[2])).toList();
        return new Result(query, moments, saliency, clipLength);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the temporary folder " + dir, e);
        }
    }

    @Override public void close() {}
}
