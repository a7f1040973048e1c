package trdetr.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import trdetr.io.DurableFiles;
import trdetr.io.FormatException;
import trdetr.io.NdArray;
import trdetr.io.Npz;
import trdetr.backend.cpu.CpuBackend;
import trdetr.tensor.Tensor;
import trdetr.video.Ffmpeg;
import trdetr.video.VideoInfo;

/**
 * The videos a server searches and their CLIP features, in one folder that survives restarts:
 * {@code videos/{id}.{ext}} (the uploaded file), {@code features/{id}.npz} ({@code features}: clips × 512, float32) and
 * {@code library.json} (id, name, clips, seconds, in the order added). A video's id is the SHA-256 of its bytes, so the
 * same file added twice (or after a restart) is neither stored nor encoded again.
 *
 * <p>An upload is first written to a temporary file outside the library and probed with ffprobe: a file that is not a
 * video is refused and removed, and the library is not touched. Every file of the library is written atomically
 * ({@link DurableFiles}), the index last, so a crash leaves at most an unindexed video, which the next add of that
 * file completes. Methods are synchronised: adds and reads may come from any number of request threads.
 */
public final class VideoLibrary {
    /** An upload over the size limit. */
    public static final class TooLarge extends RuntimeException {
        TooLarge(String message) { super(message); }
    }

    /** One video of the library. */
    public record Entry(String id, String name, int clips, double seconds) {}

    /** What {@link #add} did: the entry, and whether the file was already there (nothing encoded). */
    public record Added(Entry entry, boolean cached) {}

    /** Encodes a video file into its CLIP features (clips × D, on the CPU). */
    @FunctionalInterface
    public interface Encoder {
        Tensor encode(Path video) throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Ffmpeg ffmpeg;
    private final Encoder encoder;
    private final double clipLength;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, Tensor> features = new LinkedHashMap<>();

    public VideoLibrary(Path root, Ffmpeg ffmpeg, Encoder encoder, double clipLength) throws IOException {
        this.root = root;
        this.ffmpeg = ffmpeg;
        this.encoder = encoder;
        this.clipLength = clipLength;
        Files.createDirectories(root.resolve("videos"));
        Files.createDirectories(root.resolve("features"));
        DurableFiles.removeOrphans(root.resolve("videos"));
        DurableFiles.removeOrphans(root.resolve("features"));
        Path index = root.resolve("library.json");
        if (Files.exists(index)) {
            for (Entry e : JSON.readValue(index.toFile(), Entry[].class)) {
                if (!Files.exists(featureFile(e.id()))) throw new FormatException(index, "video " + e.id() + " has no features file " + featureFile(e.id()));
                entries.put(e.id(), e);
            }
        }
    }

    public synchronized List<Entry> entries() { return new ArrayList<>(entries.values()); }

    public synchronized Entry entry(String id) { return entries.get(id); }

    /** The stored video file of an entry (null for an unknown id). */
    public synchronized Path videoFile(String id) {
        Entry e = entries.get(id);
        return e == null ? null : storedVideo(id, e.name());
    }

    /** The CLIP features of an entry, (clips, D) on the CPU, read once from its file. */
    public synchronized Tensor features(String id) throws IOException {
        Tensor t = features.get(id);
        if (t == null) {
            if (!entries.containsKey(id)) throw new IllegalArgumentException("no video " + id);
            NdArray a = Npz.read(featureFile(id)).get("features");
            if (a == null) throw new FormatException(featureFile(id), "no 'features' array");
            t = Tensor.fromHost(CpuBackend.INSTANCE, a.data(), a.shape());
            features.put(id, t);
        }
        return t;
    }

    /**
     * Adds a video from a stream (an upload): stored and encoded unless a file with the same bytes is there already.
     *
     * @throws FormatException naming {@code name} when the bytes are not a video FFmpeg reads (the library untouched)
     */
    public Added add(String name, InputStream body) throws IOException {
        return add(name, body, Long.MAX_VALUE);
    }

    /**
     * {@link #add(String, InputStream)}, refusing (with {@link TooLarge}, the library untouched) a body longer than
     * {@code maxBytes}.
     */
    public Added add(String name, InputStream body, long maxBytes) throws IOException {
        String clean = cleanName(name);
        Path tmp = Files.createTempFile("trdetr-upload", extension(clean));
        try {
            MessageDigest digest = sha256();
            DurableFiles.write(tmp, out -> {                                   // staged outside the library
                InputStream in = new DigestInputStream(body, digest);
                byte[] buf = new byte[1 << 16];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > maxBytes) throw new TooLarge(clean + ": larger than the upload limit of " + maxBytes / (1 << 20) + " MiB");
                    out.write(buf, 0, n);
                }
            });
            String id = HexFormat.of().formatHex(digest.digest());
            synchronized (this) {
                Entry known = entries.get(id);
                if (known != null) return new Added(known, true);
            }
            if (Files.size(tmp) == 0) throw new FormatException(Path.of(clean), "empty upload");
            try {
                VideoInfo.probe(ffmpeg, tmp);
            } catch (FormatException e) {
                throw new FormatException(Path.of(clean), "not a video FFmpeg can read");
            }
            Tensor f = encoder.encode(tmp);
            synchronized (this) {
                Entry known = entries.get(id);                 // encoded meanwhile by a concurrent add of the same file
                if (known != null) return new Added(known, true);
                DurableFiles.write(storedVideo(id, clean), out -> {
                    try (InputStream in = Files.newInputStream(tmp)) {
                        in.transferTo(out);
                    }
                });
                Npz.write(featureFile(id), Map.of("features", new NdArray("float32", f.shape(), f.toFloatArray())));
                Entry e = new Entry(id, clean, f.size(0), f.size(0) * clipLength);
                entries.put(id, e);
                features.put(id, f);
                writeIndex();
                return new Added(e, false);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes a video, its features and its index entry; false when there is no such video. */
    public synchronized boolean remove(String id) throws IOException {
        Entry e = entries.remove(id);
        if (e == null) return false;
        features.remove(id);
        writeIndex();                                              // the index first: a crash leaves unindexed files only
        Files.deleteIfExists(storedVideo(id, e.name()));
        Files.deleteIfExists(featureFile(id));
        return true;
    }

    /** Adds a video file already on disk (as {@link #add(String, InputStream)}). */
    public Added add(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return add(file.getFileName().toString(), in);
        }
    }

    private Path featureFile(String id) { return root.resolve("features").resolve(id + ".npz"); }

    /** Where the video of this id is kept: its id and the uploaded name's extension. */
    private Path storedVideo(String id, String name) { return root.resolve("videos").resolve(id + extension(name)); }

    private void writeIndex() throws IOException {
        DurableFiles.writeString(root.resolve("library.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(entries.values()) + "\n");
    }

    /** A file name as given, without folders or control characters, at most 200 characters. */
    static String cleanName(String name) {
        String n = name == null ? "" : name.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1).replaceAll("\\p{Cntrl}", "").strip();
        if (n.isEmpty()) n = "video";
        return n.length() > 200 ? n.substring(n.length() - 200) : n;
    }

    /** ".mp4" for "a.MP4" (lower case, letters and digits only), "" without one. */
    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        if (dot < 0) return "";
        String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return ext.matches("[a-z0-9]{1,8}") ? "." + ext : "";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
