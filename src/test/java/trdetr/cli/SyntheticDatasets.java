package trdetr.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import trdetr.io.NdArray;
import trdetr.io.Npy;
import trdetr.io.Npz;

/**
 * Tiny datasets in the official layouts of Charades-STA and TVSum, with random features: enough for the command line
 * to train, validate, predict and evaluate on them, nothing to learn from.
 */
final class SyntheticDatasets {
    private SyntheticDatasets() {}

    static final int VIDEO_DIM = 8, TEXT_DIM = 6, TOKENS = 5;

    /** Where a dataset's files are. */
    record Layout(Path train, Path val, Path videoDir, Path textDir) {}

    /**
     * Charades-STA ({@code charades_sta_{train,val}_tvr_format.jsonl}): qid, query, duration (float seconds), vid,
     * relevant_windows in float seconds; video {@code {vid}.npz} key {@code features} with 1-s clips; text
     * {@code qid{qid}.npz} key {@code last_hidden_state}.
     */
    static Layout charades(Path root) throws IOException {
        Layout l = new Layout(root.resolve("charades_sta_train_tvr_format.jsonl"), root.resolve("charades_sta_val_tvr_format.jsonl"),
                root.resolve("video_features"), root.resolve("text_features"));
        Random r = new Random(1);
        List<String> train = new ArrayList<>(), val = new ArrayList<>();
        for (int q = 0; q < 6; q++) {
            String vid = "CH" + q;
            double duration = 20 + q + 0.37;
            int clips = (int) duration;
            double st = 1.3 + q, ed = st + 4.6 + q;
            String row = String.format(java.util.Locale.ROOT, "{\"qid\": %d, \"query\": \"person opens the door %d\", \"duration\": %.2f, "
                    + "\"vid\": \"%s\", \"relevant_windows\": [[%.1f, %.1f]]}", q, q, duration, vid, st, ed);
            (q < 4 ? train : val).add(row);
            npz(l.videoDir().resolve(vid + ".npz"), "features", random(r, clips, VIDEO_DIM));
            npz(l.textDir().resolve("qid" + q + ".npz"), "last_hidden_state", random(r, TOKENS, TEXT_DIM));
        }
        Files.writeString(l.train(), String.join("\n", train) + "\n");
        Files.writeString(l.val(), String.join("\n", val) + "\n");
        return l;
    }

    /**
     * TVSum ({@code tvsum_{train,val}.jsonl}): qid = vid = a YouTube-like id, query (the title), duration (= clips),
     * null windows and clip ids, a (clips × 20) label matrix of scores 1..5, domain; video {@code {vid}_rgb.npy} and
     * {@code {vid}_opt.npy} in one directory; text {@code {qid}.npz} key {@code token}. Domains BK (3 train videos,
     * 1 val) and BT (1 train, 1 val).
     */
    static Layout tvsum(Path root) throws IOException {
        Layout l = new Layout(root.resolve("tvsum_train.jsonl"), root.resolve("tvsum_val.jsonl"), root.resolve("video_features"),
                root.resolve("query_features"));
        Random r = new Random(2);
        List<String> train = new ArrayList<>(), val = new ArrayList<>();
        String[] domains = {"BK", "BK", "BK", "BT", "BK", "BT"};
        for (int v = 0; v < domains.length; v++) {
            String vid = "yt" + v + "_Xq";
            int clips = 12 + v;
            StringBuilder label = new StringBuilder("[");
            for (int c = 0; c < clips; c++) {
                label.append(c == 0 ? "[" : ", [");
                for (int a = 0; a < 20; a++) label.append(a == 0 ? "" : ", ").append(1 + r.nextInt(5));
                label.append(']');
            }
            label.append(']');
            String row = String.format("{\"qid\": \"%s\", \"query\": \"title %d\", \"duration\": %d, \"vid\": \"%s\", \"relevant_clip_ids\": null, "
                    + "\"relevant_windows\": null, \"label\": %s, \"domain\": \"%s\"}", vid, v, clips, vid, label, domains[v]);
            (v < 4 ? train : val).add(row);
            npy(l.videoDir().resolve(vid + "_rgb.npy"), random(r, clips, VIDEO_DIM / 2));
            npy(l.videoDir().resolve(vid + "_opt.npy"), random(r, clips, VIDEO_DIM / 2));
            npz(l.textDir().resolve(vid + ".npz"), "token", random(r, TOKENS, TEXT_DIM));
        }
        Files.writeString(l.train(), String.join("\n", train) + "\n");
        Files.writeString(l.val(), String.join("\n", val) + "\n");
        return l;
    }

    private static NdArray random(Random r, int rows, int cols) {
        float[] f = new float[rows * cols];
        for (int i = 0; i < f.length; i++) f[i] = (float) r.nextGaussian();
        return new NdArray("float32", new int[] {rows, cols}, f);
    }

    private static void npz(Path file, String key, NdArray a) throws IOException {
        Files.createDirectories(file.getParent());
        Npz.write(file, Map.of(key, a));
    }

    private static void npy(Path file, NdArray a) throws IOException {
        Files.createDirectories(file.getParent());
        Npy.write(file, a);
    }
}
