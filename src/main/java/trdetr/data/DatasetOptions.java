package trdetr.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything that decides what a {@link MomentDataset} yields. Defaults (via {@link #builder}) are the released
 * QVHighlights run (spec §1.1): ctx_mode video_tef, max_q_l 32, max_v_l 75, clip_length 2, max_windows 5, both
 * features L2-normalised, labels loaded, data_ratio 1.
 *
 * @param kind            annotation format and label rules
 * @param annotations     the jsonl file
 * @param videoDirs       video feature directories, concatenated in this order (official: SlowFast then CLIP)
 * @param textDir         text feature directory
 * @param audioDir        audio feature directory ({@code {vid}.npy}), or null for no audio
 * @param ctxMode         "video_tef", "video" or "tef" (a mode containing "tef" appends the two TEF columns)
 * @param maxQueryLength  text tokens kept (max_q_l)
 * @param maxVideoLength  clips kept per directory (max_v_l); ≤ 0 keeps all (Lighthouse's -1)
 * @param clipLength      seconds per clip
 * @param maxWindows      span labels kept per sample
 * @param normalizeVideo  L2-normalise video (and audio) rows (not no_norm_vfeat)
 * @param normalizeText   L2-normalise text rows (not no_norm_tfeat); TVSum text is never normalised
 * @param loadLabels      compute labels (false for a test split, whose rows have none)
 * @param dataRatio       use the first int(n·ratio) rows
 * @param domain          TVSum category to keep, or null
 * @param txtDropRatio    training augmentation: zero round(Lq·ratio) random text rows (official default 0)
 * @param audioTef        append TEF to audio too (official); Lighthouse does not
 * @param videoDim        expected video width before TEF, all directories together (0: learn from the first record)
 * @param textDim         expected text width (0: learn)
 * @param audioDim        expected audio width before TEF (0: learn)
 * @param skipMissing     drop records whose feature files are missing (counted and reported) instead of failing
 * @param skipNonFinite   drop records whose features hold NaN or ±Inf (counted and reported) instead of failing; this
 *                        reads every record's features once when the dataset is opened
 * @param cacheBytes      keep loaded features in memory up to about this many bytes (0: no cache)
 */
public record DatasetOptions(DatasetKind kind, Path annotations, List<Path> videoDirs, Path textDir, Path audioDir, String ctxMode,
                             int maxQueryLength, int maxVideoLength, double clipLength, int maxWindows, boolean normalizeVideo,
                             boolean normalizeText, boolean loadLabels, double dataRatio, String domain, double txtDropRatio,
                             boolean audioTef, int videoDim, int textDim, int audioDim, boolean skipMissing, boolean skipNonFinite,
                             long cacheBytes) {

    public DatasetOptions {
        videoDirs = List.copyOf(videoDirs);
        if (kind == null || annotations == null || textDir == null) throw new IllegalArgumentException("dataset options: kind, annotations and textDir are required");
        if (ctxMode == null || !(ctxMode.contains("video") || ctxMode.contains("tef"))) {
            throw new IllegalArgumentException("ctx_mode '" + ctxMode + "' has neither 'video' nor 'tef': the model would get no video input");
        }
        if (ctxMode.contains("video") && videoDirs.isEmpty()) throw new IllegalArgumentException("ctx_mode '" + ctxMode + "' needs at least one video feature directory");
        if (!ctxMode.contains("video") && maxVideoLength <= 0) throw new IllegalArgumentException("ctx_mode '" + ctxMode + "' without video needs max_v_l > 0");
        if (!ctxMode.contains("video") && audioDir != null) throw new IllegalArgumentException("audio features need ctx_mode with 'video'");
        if (maxQueryLength <= 0) throw new IllegalArgumentException("max_q_l must be positive, got " + maxQueryLength);
        if (!(clipLength > 0)) throw new IllegalArgumentException("clip_length must be positive, got " + clipLength);
        if (maxWindows <= 0) throw new IllegalArgumentException("max_windows must be positive, got " + maxWindows);
        if (!(txtDropRatio >= 0 && txtDropRatio < 1)) throw new IllegalArgumentException("txt_drop_ratio must be in [0, 1), got " + txtDropRatio);
        if (cacheBytes < 0) throw new IllegalArgumentException("cache size must be ≥ 0");
    }

    public boolean useVideo() { return ctxMode.contains("video"); }

    public boolean useTef() { return ctxMode.contains("tef"); }

    public boolean useAudio() { return audioDir != null; }

    /** Released-run defaults for the given dataset; set the feature directories before {@link Builder#build()}. */
    public static Builder builder(DatasetKind kind, Path annotations) { return new Builder(kind, annotations); }

    public Builder toBuilder() {
        Builder b = new Builder(kind, annotations);
        b.videoDirs = videoDirs;
        b.textDir = textDir;
        b.audioDir = audioDir;
        b.ctxMode = ctxMode;
        b.maxQueryLength = maxQueryLength;
        b.maxVideoLength = maxVideoLength;
        b.clipLength = clipLength;
        b.maxWindows = maxWindows;
        b.normalizeVideo = normalizeVideo;
        b.normalizeText = normalizeText;
        b.loadLabels = loadLabels;
        b.dataRatio = dataRatio;
        b.domain = domain;
        b.txtDropRatio = txtDropRatio;
        b.audioTef = audioTef;
        b.videoDim = videoDim;
        b.textDim = textDim;
        b.audioDim = audioDim;
        b.skipMissing = skipMissing;
        b.skipNonFinite = skipNonFinite;
        b.cacheBytes = cacheBytes;
        return b;
    }

    /** Fluent construction; each setter returns this builder. */
    public static final class Builder {
        private DatasetKind kind;
        private Path annotations;
        private List<Path> videoDirs = List.of();
        private Path textDir;
        private Path audioDir;
        private String ctxMode = "video_tef";
        private int maxQueryLength = 32;
        private int maxVideoLength = 75;
        private double clipLength = 2;
        private int maxWindows = 5;
        private boolean normalizeVideo = true;
        private boolean normalizeText = true;
        private boolean loadLabels = true;
        private double dataRatio = 1.0;
        private String domain;
        private double txtDropRatio;
        private boolean audioTef = true;
        private int videoDim;
        private int textDim;
        private int audioDim;
        private boolean skipMissing;
        private boolean skipNonFinite;
        private long cacheBytes;

        private Builder(DatasetKind kind, Path annotations) {
            this.kind = kind;
            this.annotations = annotations;
        }

        public Builder kind(DatasetKind v) { kind = v; return this; }
        public Builder annotations(Path v) { annotations = v; return this; }
        public Builder videoDirs(List<Path> v) { videoDirs = v; return this; }
        public Builder videoDirs(Path... v) { videoDirs = List.of(v); return this; }
        public Builder textDir(Path v) { textDir = v; return this; }
        public Builder audioDir(Path v) { audioDir = v; return this; }
        public Builder ctxMode(String v) { ctxMode = v; return this; }
        public Builder maxQueryLength(int v) { maxQueryLength = v; return this; }
        public Builder maxVideoLength(int v) { maxVideoLength = v; return this; }
        public Builder clipLength(double v) { clipLength = v; return this; }
        public Builder maxWindows(int v) { maxWindows = v; return this; }
        public Builder normalizeVideo(boolean v) { normalizeVideo = v; return this; }
        public Builder normalizeText(boolean v) { normalizeText = v; return this; }
        public Builder loadLabels(boolean v) { loadLabels = v; return this; }
        public Builder dataRatio(double v) { dataRatio = v; return this; }
        public Builder domain(String v) { domain = v; return this; }
        public Builder txtDropRatio(double v) { txtDropRatio = v; return this; }
        public Builder audioTef(boolean v) { audioTef = v; return this; }
        public Builder videoDim(int v) { videoDim = v; return this; }
        public Builder textDim(int v) { textDim = v; return this; }
        public Builder audioDim(int v) { audioDim = v; return this; }
        public Builder skipMissing(boolean v) { skipMissing = v; return this; }
        public Builder skipNonFinite(boolean v) { skipNonFinite = v; return this; }
        public Builder cacheBytes(long v) { cacheBytes = v; return this; }

        public DatasetOptions build() {
            return new DatasetOptions(kind, annotations, videoDirs, textDir, audioDir, ctxMode, maxQueryLength, maxVideoLength,
                    clipLength, maxWindows, normalizeVideo, normalizeText, loadLabels, dataRatio, domain, txtDropRatio, audioTef,
                    videoDim, textDim, audioDim, skipMissing, skipNonFinite, cacheBytes);
        }
    }
}
