package trdetr.features;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import trdetr.backend.cpu.CpuBackend;
import trdetr.clip.ClipImageNormalization;
import trdetr.clip.ClipModel;
import trdetr.clip.ClipTokenizer;
import trdetr.tensor.Tensor;
import trdetr.video.Ffmpeg;
import trdetr.video.FrameRecipe;
import trdetr.video.VideoFrames;

/**
 * The features TR-DETR reads, computed from video files and query strings with CLIP, as the released QVHighlights
 * features were made (see {@link FrameRecipe} and docs/clip.md):
 * <ul>
 *   <li>{@link #encodeVideo}: one CLIP image embedding per {@code clip_length}-second clip, (T, projection_dim), not
 *       normalised: a {@code {vid}.npz} {@code features} array;</li>
 *   <li>{@link #encodeQueries}: each query's per-token states (L, text width) and sentence embedding: a
 *       {@code qid{qid}.npz}'s {@code last_hidden_state} and {@code pooler_output}.</li>
 * </ul>
 * Results are on the CPU, in the model's dtype. The dataset L2-normalises both and appends the temporal endpoint
 * features (TEF) when it reads them, so the files hold the raw embeddings, as the released ones do.
 */
public final class ClipFeatureExtractor {
    private final ClipModel clip;
    private final ClipTokenizer tokenizer;
    private final Ffmpeg ffmpeg;
    private final FrameRecipe recipe;
    private final int batchSize;

    /**
     * @param tokenizer  for {@link #encodeQueries} (null: no queries)
     * @param ffmpeg     for {@link #encodeVideo} (null: no videos)
     * @param clipLength seconds per clip: one frame is sampled per clip
     * @param batchSize  frames or queries per CLIP forward pass
     */
    public ClipFeatureExtractor(ClipModel clip, ClipTokenizer tokenizer, Ffmpeg ffmpeg, double clipLength, int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        this.clip = clip;
        this.tokenizer = tokenizer;
        this.ffmpeg = ffmpeg;
        this.recipe = new FrameRecipe(clipLength, clip.config().vision().imageSize());
        this.batchSize = batchSize;
    }

    public ClipModel clip() { return clip; }

    public FrameRecipe recipe() { return recipe; }

    /** The FFmpeg it decodes with (null when it encodes no videos). */
    public Ffmpeg ffmpeg() { return ffmpeg; }

    /**
     * The video's CLIP features, (T, projection_dim) on the CPU in the model's dtype: its frames sampled, resized,
     * cropped and normalised as the reference extractor does, encoded {@code batchSize} at a time.
     *
     * @param framesDone told the number of frames encoded after each batch (may be null)
     */
    public Tensor encodeVideo(Path video, IntConsumer framesDone) throws IOException {
        if (ffmpeg == null) throw new IllegalStateException("no FFmpeg given: this extractor encodes no videos");
        List<Tensor> parts = new ArrayList<>();
        try (VideoFrames frames = VideoFrames.open(ffmpeg, video, recipe)) {
            int size = frames.plan().size();
            byte[] batch = new byte[batchSize * frames.plan().frameBytes()];
            for (int n; (n = frames.read(batch, batchSize)) > 0; ) {
                parts.add(encodeFrames(batch, n, size));
                if (framesDone != null) framesDone.accept(frames.framesRead());
            }
        }
        return parts.size() == 1 ? parts.get(0) : Tensor.cat(parts, 0);
    }

    /** CLIP image features of {@code n} RGB frames ({@code size × size × 3} bytes each), on the CPU. */
    public Tensor encodeFrames(byte[] rgb, int n, int size) {
        float[] pixels = ClipImageNormalization.normalize(rgb, n, size);
        Tensor input = Tensor.fromHost(clip.backend(), pixels, n, 3, size, size);
        return clip.encodeImage(input).to(CpuBackend.INSTANCE);
    }

    /** One query's text features, on the CPU in the model's dtype. */
    public record QueryFeatures(Tensor lastHiddenState, Tensor pooledOutput) {}

    /** Each query's features, tokenized with CLIP's tokenizer (cut to 77 tokens), {@code batchSize} queries a pass. */
    public List<QueryFeatures> encodeQueries(List<String> queries) {
        if (tokenizer == null) throw new IllegalStateException("no tokenizer given: this extractor encodes no queries");
        List<QueryFeatures> out = new ArrayList<>(queries.size());
        for (int start = 0; start < queries.size(); start += batchSize) {
            List<String> part = queries.subList(start, Math.min(queries.size(), start + batchSize));
            int[][] ids = new int[part.size()][];
            for (int i = 0; i < ids.length; i++) ids[i] = tokenizer.tokenize(part.get(i));
            ClipModel.TextFeatures f = clip.encodeTextFeatures(ids);
            Tensor embeds = f.embeds().to(CpuBackend.INSTANCE);
            for (int i = 0; i < ids.length; i++) {
                out.add(new QueryFeatures(f.tokenStates().get(i).contiguousCopy().to(CpuBackend.INSTANCE), embeds.select(0, i).contiguousCopy()));
            }
        }
        return out;
    }
}
