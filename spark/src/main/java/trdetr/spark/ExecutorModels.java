package trdetr.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;
import org.apache.spark.broadcast.Broadcast;
import trdetr.backend.Backend;
import trdetr.backend.Backends;
import trdetr.inference.MomentRetriever;
import trdetr.model.TrDetr;
import trdetr.tensor.Tensor;
import trdetr.train.Checkpoint;

/**
 * The models of one executor JVM, loaded from the broadcast checkpoint and kept for every later task of the job: the
 * TR-DETR alone (features in), or with CLIP as a {@link MomentRetriever} (video files in).
 *
 * <p>A task borrows a model and gives it back when done; a new one is loaded only when every loaded model is busy, so
 * an executor holds at most one model per task it runs at once (its cores), each loaded once. Why not one model shared
 * by all tasks: a model is not made for concurrent forward passes ({@code trdetr serve} runs one at a time too),
 * and one model behind a lock would leave all but one core idle.
 */
final class ExecutorModels {
    private ExecutorModels() {}

    private static final Map<String, ConcurrentLinkedDeque<Object>> IDLE = new ConcurrentHashMap<>();

    /** A borrowed model; closing gives it back. */
    record Lease<T>(T model, Runnable giveBack) implements AutoCloseable {
        @Override public void close() { giveBack.run(); }
    }

    static Lease<TrDetr> borrow(Broadcast<byte[]> checkpoint, String device) {
        return borrow("model " + checkpoint.id(), () -> load(checkpoint.value(), device));
    }

    /** The model with CLIP from {@code video}'s folder and FFmpeg, as {@code predict --video} runs it. */
    static Lease<MomentRetriever> borrowRetriever(Broadcast<byte[]> checkpoint, String device, VideoSource video) {
        return borrow("retriever " + checkpoint.id() + " " + video, () -> {
            TrDetr model = load(checkpoint.value(), device);
            try {
                return MomentRetriever.withClip(model, Path.of(video.clipDir()), video.ffmpeg() == null ? null : Path.of(video.ffmpeg()),
                        Backends.forName(device));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> Lease<T> borrow(String key, Supplier<T> load) {
        ConcurrentLinkedDeque<Object> idle = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        Object model = idle.pollFirst();
        if (model == null) model = load.get();
        Object m = model;
        return new Lease<>((T) m, () -> idle.addFirst(m));
    }

    /** A model from the broadcast checkpoint's bytes, on the job's device. */
    private static synchronized TrDetr load(byte[] checkpoint, String device) {
        Backend backend = Backends.forName(device);
        Tensor.setDefaultBackend(backend);               // the JVM's tasks all run on the job's one device
        Path file = null;
        try {
            // Checkpoint loads from a file; the bytes came by broadcast, so they go to a temporary one first.
            file = Files.createTempFile("trdetr-spark-", ".ckpt");
            Files.write(file, checkpoint);
            TrDetr model = Checkpoint.loadModel(file, null);
            model.eval();                                // Predictor leaves a model in the mode it found it in
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException("could not load the broadcast checkpoint: " + e.getMessage(), e);
        } finally {
            if (file != null) file.toFile().delete();
        }
    }
}
