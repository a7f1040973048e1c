package trdetr.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import trdetr.io.FormatException;

/**
 * Loads the features of a record in the official layout (spec §5.2) and applies the official per-file
 * processing: truncation to max_v_l / max_q_l, float32, row L2 normalisation {@code x / (‖x‖ + 1e-5)}, and for
 * several video directories truncation to the shortest followed by concatenation in the given order. TEF and the
 * audio/video length alignment depend on both modalities and are done by {@link MomentDataset}.
 *
 * <p>Every directory (and the text and audio features) must keep one width across records: the width is taken
 * from the first record loaded (or from the configured dims) and any other width stops with a message naming the
 * file and the record.
 */
final class FeatureStore {
    static final float EPS = 1e-5f;

    private final DatasetOptions o;
    private final FeatureCache cache;
    private final ConcurrentHashMap<String, Integer> widths = new ConcurrentHashMap<>();

    FeatureStore(DatasetOptions o) {
        this.o = o;
        this.cache = new FeatureCache(o.cacheBytes());
    }

    FeatureCache cache() { return cache; }

    DatasetOptions options() { return o; }

    /** Every file a record needs, for checking before training starts. */
    List<Path> requiredFiles(Annotation a) {
        List<Path> files = new ArrayList<>();
        if (o.useVideo()) {
            for (Path dir : o.videoDirs()) {
                if (o.kind() == DatasetKind.TVSUM) {
                    files.add(dir.resolve(a.vid() + "_rgb.npy"));
                    files.add(dir.resolve(a.vid() + "_opt.npy"));
                } else {
                    files.add(dir.resolve(a.vid() + ".npz"));
                }
            }
        }
        files.add(textFile(a));
        if (o.useAudio()) files.add(o.audioDir().resolve(a.vid() + ".npy"));
        return files;
    }

    private Path textFile(Annotation a) { return o.textDir().resolve(o.kind().textFileName(a.qid())); }

    /** Video features without TEF: (ctx_l, Σ dir widths). */
    FloatMatrix video(Annotation a) { return cache.getOrLoad("v\u0000" + a.vid(), () -> loadVideo(a)); }

    private FloatMatrix loadVideo(Annotation a) {
        List<FloatMatrix> parts = new ArrayList<>();
        for (Path dir : o.videoDirs()) {
            FloatMatrix f;
            if (o.kind() == DatasetKind.TVSUM) {
                Path rgbFile = dir.resolve(a.vid() + "_rgb.npy");
                Path optFile = dir.resolve(a.vid() + "_opt.npy");
                FloatMatrix rgb = npyRows(rgbFile, a, "video features (rgb)");
                FloatMatrix opt = npyRows(optFile, a, "video features (flow)");
                if (rgb.rows() != opt.rows()) {
                    throw new FormatException(optFile, "has " + opt.rows() + " rows but " + rgbFile.getFileName() + " has " + rgb.rows()
                            + " (after truncation to max_v_l), for " + a.describe());
                }
                checkWidth("rgb " + dir, rgb.cols(), rgbFile, a);
                checkWidth("opt " + dir, opt.cols(), optFile, a);
                f = FloatMatrix.hconcat(List.of(rgb, opt)); // TVSum normalises after joining rgb and flow
            } else {
                Path file = dir.resolve(a.vid() + ".npz");
                f = noBatchAxis(FeatureFiles.npzMember(file, "features", a, "video features"), file, a).firstRows(maxV());
                FeatureFiles.requireFinite(f, false, file, "features", a, "video features");
                checkWidth("video " + dir, f.cols(), file, a);
            }
            if (o.normalizeVideo()) f = f.l2NormalizeRows(EPS);
            parts.add(f);
        }
        // Some feature extractors give one or two more clips than others: keep the common prefix.
        int min = Integer.MAX_VALUE;
        for (FloatMatrix p : parts) min = Math.min(min, p.rows());
        List<FloatMatrix> cut = new ArrayList<>();
        for (FloatMatrix p : parts) cut.add(p.firstRows(min));
        FloatMatrix m = cut.size() == 1 ? cut.get(0) : FloatMatrix.hconcat(cut);
        if (o.videoDim() > 0 && m.cols() != o.videoDim()) {
            throw new FormatException(o.videoDirs().get(0), "video features of " + a.describe() + " have " + m.cols()
                    + " columns, the configured video dim is " + o.videoDim());
        }
        return m;
    }

    /**
     * Text features: first max_q_l rows, L2-normalised (TVSum: the {@code token} array as stored). A (1, L, D)
     * array loses its leading axis; in audio mode the official code drops that axis only after truncating, which
     * then cuts nothing, so such an array keeps all its rows there (a quirk we keep).
     */
    FloatMatrix text(Annotation a) { return cache.getOrLoad("t\u0000" + a.qid(), () -> loadText(a)); }

    private FloatMatrix loadText(Annotation a) {
        Path file = textFile(a);
        FeatureFiles.Loaded l = FeatureFiles.npzMember(file, o.kind().textKey(), a, "text features");
        FloatMatrix m = l.matrix();
        if (o.kind() != DatasetKind.TVSUM && !(l.hadBatchAxis() && o.useAudio())) m = m.firstRows(o.maxQueryLength());
        FeatureFiles.requireFinite(m, l.hadBatchAxis(), file, o.kind().textKey(), a, "text features");
        if (o.kind() != DatasetKind.TVSUM && o.normalizeText()) m = m.l2NormalizeRows(EPS);
        checkWidth("text", m.cols(), o.textDim(), file, a);
        return m;
    }

    /** Audio features without TEF: first max_v_l rows, L2-normalised when video is. */
    FloatMatrix audio(Annotation a) { return cache.getOrLoad("a\u0000" + a.vid(), () -> loadAudio(a)); }

    private FloatMatrix loadAudio(Annotation a) {
        Path file = o.audioDir().resolve(a.vid() + ".npy");
        FloatMatrix m = npyRows(file, a, "audio features");
        if (o.normalizeVideo()) m = m.l2NormalizeRows(EPS);
        checkWidth("audio", m.cols(), o.audioDim(), file, a);
        return m;
    }

    private int maxV() { return o.maxVideoLength() > 0 ? o.maxVideoLength() : Integer.MAX_VALUE; }

    /** The first max_v_l rows of a (clips, dim) .npy file, all finite. */
    private FloatMatrix npyRows(Path file, Annotation a, String what) {
        FloatMatrix m = noBatchAxis(FeatureFiles.npy(file, a, what), file, a).firstRows(maxV());
        return FeatureFiles.requireFinite(m, false, file, null, a, what);
    }

    private static FloatMatrix noBatchAxis(FeatureFiles.Loaded l, Path file, Annotation a) {
        if (l.hadBatchAxis()) {
            throw new FormatException(file, "has shape (1, " + l.matrix().rows() + ", " + l.matrix().cols()
                    + "), expected (clips, dim) (" + a.describe() + ")");
        }
        return l.matrix();
    }

    /** The first width seen for a source is the expected one; another width is an error naming both. */
    private void checkWidth(String source, int cols, Path file, Annotation a) {
        Integer expected = widths.putIfAbsent(source, cols);
        if (expected != null && expected != cols) {
            throw new FormatException(file, "has " + cols + " columns but earlier " + source + " features have " + expected + " (" + a.describe() + ")");
        }
    }

    /** {@link #checkWidth}, then the configured width of the text or audio features (0: not configured). */
    private void checkWidth(String modality, int cols, int configured, Path file, Annotation a) {
        checkWidth(modality, cols, file, a);
        if (configured > 0 && cols != configured) {
            throw new FormatException(file, modality + " features have " + cols + " columns, the configured " + modality + " dim is "
                    + configured + " (" + a.describe() + ")");
        }
    }
}
