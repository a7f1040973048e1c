package trdetr.features;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import trdetr.io.NdArray;
import trdetr.io.Npz;
import trdetr.tensor.Tensor;

/**
 * The official feature layout under one folder: {@code clip_features/{vid}.npz} ({@code features}: T × D) and
 * {@code clip_text_features/qid{qid}.npz} ({@code last_hidden_state}: L × W, {@code pooler_output}: D), float32 or
 * float16, each written atomically (a stopped run leaves whole files only, so it can resume by skipping them).
 */
public final class FeatureFiles {
    public static final String VIDEO_DIR = "clip_features";
    public static final String TEXT_DIR = "clip_text_features";

    private final Path root;
    private final boolean half;

    public FeatureFiles(Path root, boolean half) {
        this.root = root;
        this.half = half;
    }

    public Path videoDir() { return root.resolve(VIDEO_DIR); }

    public Path queryDir() { return root.resolve(TEXT_DIR); }

    public Path videoFile(String vid) { return videoDir().resolve(vid + ".npz"); }

    public Path queryFile(String qid) { return queryDir().resolve("qid" + qid + ".npz"); }

    public void writeVideo(String vid, Tensor features) throws IOException {
        Files.createDirectories(videoDir());
        Npz.write(videoFile(vid), Map.of("features", array(features)));
    }

    public void writeQuery(String qid, ClipFeatureExtractor.QueryFeatures f) throws IOException {
        Files.createDirectories(queryDir());
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        arrays.put("last_hidden_state", array(f.lastHiddenState()));
        arrays.put("pooler_output", array(f.pooledOutput()));
        Npz.write(queryFile(qid), arrays);
    }

    private NdArray array(Tensor t) {
        return new NdArray(half ? "float16" : "float32", t.shape(), t.toFloatArray());   // float16: rounded when written
    }
}
