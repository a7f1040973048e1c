package trdetr.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import trdetr.backend.Backend;
import trdetr.clip.ClipConfig;
import trdetr.clip.ClipModel;
import trdetr.io.StateDicts;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * Frames per second and queries per second of CLIP's two towers, as {@code trdetr features} runs them: images in
 * batches of preprocessed frames, queries in batches of token rows. Without weights it builds ViT-B/32 (the
 * transformers defaults) with random weights: the arithmetic does not depend on the values. tools/bench_clip_torch.py
 * times OpenAI's model the same way, for the comparison in BENCHMARKS.md.
 */
public final class ClipBenchmark {
    private ClipBenchmark() {}

    /** ViT-B/32 with N(0, 0.02) weights (layer norms around 1), from a fixed seed. */
    public static ClipModel randomVitB32(Backend backend, DType dtype, long seed) {
        ClipModel model = new ClipModel(ClipConfig.parse("{}", null), backend, dtype);
        Random rng = new Random(seed);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            double[] v = new double[p.getValue().numel()];
            boolean norm = p.getKey().contains("norm") || p.getKey().contains("layrnorm");
            for (int i = 0; i < v.length; i++) v[i] = (norm && p.getKey().endsWith("weight") ? 1 : 0) + 0.02 * rng.nextGaussian();
            sd.put(p.getKey(), Tensor.fromHost(backend, v, p.getValue().shape()).to(dtype));
        }
        StateDicts.load(model, sd, null, true);
        return model;
    }

    /** Random preprocessed frames, (n, 3, size, size). */
    public static Tensor frames(Backend backend, int n, int size, long seed) {
        Random rng = new Random(seed);
        float[] v = new float[n * 3 * size * size];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return Tensor.fromHost(backend, v, n, 3, size, size);
    }

    /** n token rows of {@code length} ids (start, random words, end), as the tokenizer gives them. */
    public static int[][] queries(ClipModel model, int n, int length, long seed) {
        Random rng = new Random(seed);
        int vocab = model.config().text().vocabSize();
        int[][] rows = new int[n][length];
        for (int[] r : rows) {
            r[0] = vocab - 2;
            for (int i = 1; i < length - 1; i++) r[i] = 1 + rng.nextInt(vocab - 3);
            r[length - 1] = vocab - 1;
        }
        return rows;
    }

    /** Median seconds of {@code samples} runs of {@code work}, after {@code warmup} untimed ones. */
    public static double medianSeconds(Runnable work, int warmup, int samples) {
        for (int i = 0; i < warmup; i++) work.run();
        double[] t = new double[samples];
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            work.run();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(t);
        return samples % 2 == 1 ? t[samples / 2] : (t[samples / 2 - 1] + t[samples / 2]) / 2;
    }
}
