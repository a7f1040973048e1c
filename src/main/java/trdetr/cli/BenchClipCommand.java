package trdetr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import trdetr.backend.Backend;
import trdetr.backend.cpu.Parallel;
import trdetr.bench.ClipBenchmark;
import trdetr.clip.ClipModel;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** {@code trdetr bench clip}: CLIP image frames per second and text queries per second. */
@Command(name = "clip", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time CLIP's image tower (frames/s) and text tower (queries/s) as `features` runs them.",
                "Without --clip: ViT-B/32 with random weights. tools/bench_clip_torch.py times OpenAI's model the same way.",
                "The last line is one JSON object."})
final class BenchClipCommand implements Callable<Integer> {
    @Mixin DeviceOption device;
    @Option(names = "--clip", paramLabel = "PATH", description = "CLIP weights (a Hugging Face folder or OpenAI's .pt); default: random ViT-B/32.") Path clip;
    @Option(names = "--threads", description = "CPU worker threads (default: all cores).") Integer threads;
    @Option(names = "--dtype", defaultValue = "float32") String dtype;
    @Option(names = "--frames", defaultValue = "32", description = "Frames per image batch (default: ${DEFAULT-VALUE}).") int frames;
    @Option(names = "--queries", defaultValue = "32", description = "Queries per text batch (default: ${DEFAULT-VALUE}).") int queries;
    @Option(names = "--tokens", defaultValue = "20", description = "Tokens per query, start and end included (default: ${DEFAULT-VALUE}; QVHighlights' queries average about 15).") int tokens;
    @Option(names = "--samples", defaultValue = "5", description = "Timed batches of each kind (default: ${DEFAULT-VALUE}).") int samples;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed batches first (default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--skip", paramLabel = "image|text", description = "Skip one tower.") String skip;

    @Override public Integer call() throws Exception {
        if (threads != null) {
            if (threads < 1) throw new UserError("--threads must be at least 1, got " + threads);
            Parallel.setThreads(threads);
        }
        if (frames < 1 || queries < 1 || samples < 1 || warmup < 0 || tokens < 2) throw new UserError("--frames, --queries, --samples must be positive, --tokens at least 2");
        DType type = "float64".equals(dtype.toLowerCase(Locale.ROOT)) ? DType.FLOAT64 : DType.FLOAT32;
        Backend backend = device.use();
        ClipModel model = clip != null ? ClipModel.load(clip, backend, type) : ClipBenchmark.randomVitB32(backend, type, 7);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("device", backend.name());
        json.put("threads", Parallel.threads());
        json.put("dtype", type.name().toLowerCase(Locale.ROOT));
        json.put("vision", model.config().vision().toString());
        if (!"image".equals(skip)) {
            int size = model.config().vision().imageSize();
            Tensor pixels = ClipBenchmark.frames(backend, frames, size, 1);
            double s = ClipBenchmark.medianSeconds(() -> model.encodeImage(pixels).toFloatArray(), warmup, samples);
            System.out.printf("image: %d frames of %d px per batch, median %.3f s: %.2f frames/s%n", frames, size, s, frames / s);
            json.put("image_batch", frames);
            json.put("image_batch_s", s);
            json.put("frames_per_s", frames / s);
        }
        if (!"text".equals(skip)) {
            int[][] ids = ClipBenchmark.queries(model, queries, Math.min(tokens, model.config().text().maxPositions()), 2);
            double s = ClipBenchmark.medianSeconds(() -> model.encodeTextFeatures(ids).embeds().toFloatArray(), warmup, samples);
            System.out.printf("text: %d queries of %d tokens per batch, median %.3f s: %.1f queries/s%n", queries, ids[0].length, s, queries / s);
            json.put("text_batch", queries);
            json.put("tokens", ids[0].length);
            json.put("text_batch_s", s);
            json.put("queries_per_s", queries / s);
        }
        System.out.println(new ObjectMapper().writeValueAsString(json));
        return 0;
    }
}
