package trdetr.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import trdetr.io.FormatException;
import trdetr.tensor.CounterRng;
import trdetr.tensor.Generator;

/**
 * A moment-retrieval / highlight-detection dataset: annotation rows plus their features and labels, the official
 * {@code StartEndDataset} (and its audio variant). Items are computed on demand: features come from disk (or the
 * bounded cache), and labels are drawn from the {@link Generator} the caller passes, so an item is a pure function of
 * (index, generator state) — {@link DataLoader} derives that state from (seed, epoch, index).
 *
 * <p>Opening checks that every feature file exists (missing files stop with a message naming the file and the
 * record, or with {@link DatasetOptions#skipMissing()} drop the record, counted in {@link #skipped()}), and loads
 * the first record to fix the feature widths. Features holding NaN or ±Inf stop with a message naming the file and
 * the position when first loaded, or with {@link DatasetOptions#skipNonFinite()} drop the record at opening, counted in
 * {@link #skippedNonFinite()}.
 */
public final class MomentDataset {
    private final DatasetOptions options;
    private final List<Annotation> rows;
    private final List<String> skipped;
    private final List<String> skippedNonFinite;
    private final int nonFiniteFiles;
    private final FeatureStore store;
    private final int videoDim;
    private final int textDim;
    private final int audioDim;

    private MomentDataset(DatasetOptions options, List<Annotation> rows, List<String> skipped, List<String> skippedNonFinite,
                          int nonFiniteFiles, FeatureStore store) {
        this.nonFiniteFiles = nonFiniteFiles;
        this.options = options;
        this.rows = rows;
        this.skipped = skipped;
        this.skippedNonFinite = skippedNonFinite;
        this.store = store;
        if (rows.isEmpty()) {
            videoDim = textDim = audioDim = 0;
        } else {
            Sample first = get(0, new Generator(0));
            videoDim = first.video().cols();
            textDim = first.text().cols();
            audioDim = first.audio() == null ? 0 : first.audio().cols();
        }
    }

    public static MomentDataset open(DatasetOptions o) throws IOException {
        return of(o, AnnotationReader.read(o.annotations(), o.kind(), o.loadLabels(), o.dataRatio(), o.domain()));
    }

    /**
     * A dataset of rows read elsewhere (e.g. a slice of a manifest that a Spark task holds, parsed with
     * {@link AnnotationReader#parse}), with the same feature checks and skipping as {@link #open}; {@code o.annotations()}
     * names the file the rows came from in messages.
     */
    public static MomentDataset of(DatasetOptions o, List<Annotation> all) {
        FeatureStore store = new FeatureStore(o);
        List<Annotation> kept = new ArrayList<>(all.size());
        List<String> skipped = new ArrayList<>();
        for (Annotation a : all) {
            Path missing = null;
            for (Path f : store.requiredFiles(a)) {
                if (!FeatureFiles.exists(f)) {
                    missing = f;
                    break;
                }
            }
            if (missing == null) {
                kept.add(a);
            } else if (o.skipMissing()) {
                skipped.add(a.describe() + ": " + missing);
            } else {
                throw FeatureFiles.missing(missing, a, "feature");
            }
        }
        if (kept.isEmpty()) {
            throw new FormatException(o.annotations(), "no record has all its feature files (" + skipped.size()
                    + " skipped; first: " + skipped.get(0) + ")");
        }
        List<String> nonFinite = new ArrayList<>();
        Set<Path> nonFiniteFiles = new HashSet<>();
        if (o.skipNonFinite()) {
            // Only a full pass can tell which records to drop before batches are drawn; without the option a NaN stops
            // the run when its file is first loaded.
            kept.removeIf(a -> {
                try {
                    loadAll(store, a);
                    return false;
                } catch (FeatureFiles.NonFiniteException e) {
                    nonFinite.add(e.getMessage());
                    nonFiniteFiles.add(e.file());
                    return true;
                }
            });
            if (kept.isEmpty()) {
                throw new FormatException(o.annotations(), "every record has NaN or Inf in its features (first: " + nonFinite.get(0) + ")");
            }
        }
        return new MomentDataset(o, Collections.unmodifiableList(kept), Collections.unmodifiableList(skipped),
                Collections.unmodifiableList(nonFinite), nonFiniteFiles.size(), store);
    }

    private static void loadAll(FeatureStore store, Annotation a) {
        store.text(a);
        if (store.options().useVideo()) store.video(a);
        if (store.options().useAudio()) store.audio(a);
    }

    public DatasetOptions options() { return options; }

    public int size() { return rows.size(); }

    public Annotation annotation(int index) { return rows.get(index); }

    /** The rows in file order (after data_ratio, domain filter and skipping). */
    public List<Annotation> annotations() { return rows; }

    /** "qid …: missing-file" for each record dropped by skipMissing. */
    public List<String> skipped() { return skipped; }

    /** One line for logs: how many records were dropped and the first one, or null when none. */
    public String skipReport() {
        if (skipped.isEmpty()) return null;
        return options.annotations() + ": skipped " + skipped.size() + " of " + (skipped.size() + rows.size() + skippedNonFinite.size())
                + " records with missing feature files (first: " + skipped.get(0) + ")";
    }

    /** For each record dropped by skipNonFinite, the message naming its file and the first NaN or Inf. */
    public List<String> skippedNonFinite() { return skippedNonFinite; }

    /** One line for logs about the records dropped for NaN or Inf, or null when none. */
    public String nonFiniteReport() {
        if (skippedNonFinite.isEmpty()) return null;
        return options.annotations() + ": skipped " + skippedNonFinite.size() + " of " + (skipped.size() + rows.size() + skippedNonFinite.size())
                + " records whose features have NaN or Inf (" + nonFiniteFiles + " file" + (nonFiniteFiles == 1 ? "" : "s")
                + "; first: " + skippedNonFinite.get(0) + ")";
    }

    /** The skip reports that apply (missing files, non-finite features), one line each. */
    public List<String> skipReports() {
        List<String> lines = new ArrayList<>();
        if (skipReport() != null) lines.add(skipReport());
        if (nonFiniteReport() != null) lines.add(nonFiniteReport());
        return lines;
    }

    /** Width of the model's video input, TEF included (the official run: 2816 + 2 = 2818). */
    public int videoDim() { return videoDim; }

    public int textDim() { return textDim; }

    /** Width of the audio input (TEF included when appended), 0 without audio. */
    public int audioDim() { return audioDim; }

    /** Bytes held by the feature cache. */
    public long cachedBytes() { return store.cache().usedBytes(); }

    /** Item {@code index} with labels (and text dropping, if configured) drawn from {@code gen}. */
    public Sample get(int index, Generator gen) {
        Annotation a = rows.get(index);
        FloatMatrix text = store.text(a);
        if (options.txtDropRatio() > 0) {
            // Official: np.random.choice(L, round(L·ratio), replace=False) rows set to 0 (Python round: half to even).
            // A stream of its own, so that labels do not depend on whether text dropping is on.
            int n = (int) Math.rint(text.rows() * options.txtDropRatio());
            if (n > 0) {
                Generator g = new Generator(CounterRng.mix(gen.seed() ^ 0x7e47d509L), gen.counter());
                text = text.withZeroRows(RandomSampling.sampleRange(0, text.rows(), n, g));
            }
        }
        FloatMatrix video = null;
        int ctxL;
        if (options.useVideo()) {
            video = store.video(a);
            ctxL = video.rows();
        } else {
            ctxL = options.maxVideoLength();
        }
        FloatMatrix audio = null;
        if (options.useAudio()) {
            audio = store.audio(a);
            ctxL = Math.min(ctxL, audio.rows());
            video = video.firstRows(ctxL);
            audio = audio.firstRows(ctxL);
        }
        if (options.useTef()) {
            video = video == null ? TemporalEndpointFeatures.of(ctxL) : TemporalEndpointFeatures.append(video);
            if (audio != null && options.audioTef()) audio = TemporalEndpointFeatures.append(audio);
        }
        SampleLabels labels = options.loadLabels()
                ? LabelRules.of(options.kind(), a, ctxL, options.clipLength(), options.maxWindows(), gen)
                : null;
        return new Sample(index, a, text, video, audio, labels);
    }
}
