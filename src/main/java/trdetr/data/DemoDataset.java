package trdetr.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.io.DurableFiles;
import trdetr.io.NdArray;
import trdetr.io.Npz;
import trdetr.tensor.Generator;

/**
 * A small synthetic dataset in the QVHighlights format, for trying training end to end without the real features:
 * {@code train.jsonl} / {@code val.jsonl} with the official fields, one video feature directory
 * ({@code video_features/{vid}.npz}, key {@code features}) and one text directory
 * ({@code text_features/qid{qid}.npz}, key {@code last_hidden_state}).
 *
 * <p>The signal is simple enough for TR-DETR to learn in minutes but needs the query: there are K "concepts", each a
 * random unit vector in video space and another in text space. A query's tokens are noisy copies of its concept's text
 * vector mixed with filler tokens; a video's clips are a per-video scene vector plus noise, and inside each relevant
 * window the clips get the query's concept vector added with a strength that is clearly above the noise at the
 * window's edges and peaks mid-window. The three annotators' 0–4 saliency scores follow that strength relative to the
 * query's strongest clip, with annotator noise, so every query has "very good" clips. A video may hold a second query
 * (another concept, other windows) and, with {@link Settings#distractorProbability()}, a segment of an unrelated
 * concept — so finding "where something happens" is not enough. Videos have 20–40 2-s clips (40–80 s; 40% of them
 * the longest, as most QVHighlights videos have its maximum length of 150 s — shorter here so that a CPU trains on
 * them in minutes), with 1–3 windows (65/25/10%) of 6–36 s on even seconds, at most half the video, so that the
 * evaluator's short, middle and long ranges all have moments; relevant_clip_ids and saliency_scores follow the
 * windows exactly.
 *
 * <p>Generation is deterministic in the settings. {@link #ensure} writes every file atomically and a marker file
 * last; a directory that already holds the marker for the same settings is reused as it is.
 */
public final class DemoDataset {
    private DemoDataset() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MARKER = "DEMO_COMPLETE.json";

    /**
     * @param seed                  everything is drawn from this
     * @param trainQueries          queries in train.jsonl
     * @param valQueries            queries in val.jsonl (on other videos)
     * @param videoDim              video feature width
     * @param textDim               text feature width
     * @param concepts              number of concepts K
     * @param distractorProbability chance that a video also shows an unrelated concept
     * @param minClips              shortest video, in 2-s clips
     * @param maxClips              longest video, in 2-s clips (40% of the videos have this length)
     */
    public record Settings(long seed, int trainQueries, int valQueries, int videoDim, int textDim, int concepts, double distractorProbability,
                           int minClips, int maxClips) {
        public Settings {
            if (minClips < 4 || maxClips <= minClips) throw new IllegalArgumentException("demo videos need 4 ≤ minClips < maxClips clips");
            if (trainQueries < 1 || valQueries < 1) throw new IllegalArgumentException("demo data needs at least one train and one val query");
            if (videoDim < 2 || textDim < 2) throw new IllegalArgumentException("demo feature widths must be ≥ 2");
            if (concepts < 3) throw new IllegalArgumentException("demo data needs at least 3 concepts");
            if (!(distractorProbability >= 0 && distractorProbability <= 1)) throw new IllegalArgumentException("distractor probability must be in [0, 1]");
        }

        /**
         * 1200 train / 200 val queries, video width 64, text width 32, 8 concepts, distractors in 30% of videos, videos
         * of 20–40 clips (40–80 s: shorter than QVHighlights' 150 s so that a CPU trains on them in minutes).
         */
        public static Settings defaults() { return new Settings(2024, 1200, 200, 64, 32, 8, 0.3, 20, 40); }

        public Settings withSeed(long s) { return new Settings(s, trainQueries, valQueries, videoDim, textDim, concepts, distractorProbability, minClips, maxClips); }

        public Settings withSizes(int train, int val) { return new Settings(seed, train, val, videoDim, textDim, concepts, distractorProbability, minClips, maxClips); }
    }

    /** Where the files of a demo dataset are. */
    public record Layout(Path root) {
        public Path train() { return root.resolve("train.jsonl"); }
        public Path val() { return root.resolve("val.jsonl"); }
        public Path videoDir() { return root.resolve("video_features"); }
        public Path textDir() { return root.resolve("text_features"); }
        public Path marker() { return root.resolve(MARKER); }

        /** Dataset options for a split ("train" or "val") with the released-run settings. */
        public DatasetOptions options(String split) {
            Path ann = switch (split) {
                case "train" -> train();
                case "val" -> val();
                default -> throw new IllegalArgumentException("demo split must be train or val, got " + split);
            };
            return DatasetOptions.builder(DatasetKind.QVHIGHLIGHTS, ann).videoDirs(videoDir()).textDir(textDir()).build();
        }
    }

    /** Generates the dataset into {@code dir}, or reuses it when it is already complete with the same settings. */
    public static Layout ensure(Path dir, Settings s) throws IOException {
        Layout layout = new Layout(dir);
        if (Files.isRegularFile(layout.marker())) {
            Settings existing;
            try {
                existing = JSON.readValue(layout.marker().toFile(), Settings.class);
            } catch (IOException e) {
                throw new trdetr.io.FormatException(layout.marker(), "unreadable demo marker (" + e.getMessage() + "); delete the directory to regenerate");
            }
            if (!existing.equals(s)) {
                throw new IllegalArgumentException(dir + " holds a demo dataset made with other settings (" + existing
                        + "); use another directory or delete it");
            }
            return layout;
        }
        Files.createDirectories(layout.videoDir());
        Files.createDirectories(layout.textDir());
        new Generation(s, layout).run();
        DurableFiles.writeString(layout.marker(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(s) + "\n");
        return layout;
    }

    /** Chance levels of the val split (see {@link ChanceLevels}), 20 Monte Carlo draws for the saliency part. */
    public static ChanceLevels chanceLevels(Layout layout) throws IOException {
        List<Annotation> val = AnnotationReader.read(layout.val(), DatasetKind.QVHIGHLIGHTS, true, 1.0, null);
        return ChanceLevels.of(val, 0, 20);
    }

    /**
     * {@code java -cp target/classes:... trdetr.data.DemoDataset DIR [SEED [TRAIN VAL]]}: generates (or reuses) a
     * demo dataset and prints where it is and its chance levels.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: DemoDataset DIR [SEED [TRAIN_QUERIES VAL_QUERIES]]");
            System.exit(2);
        }
        Settings s = Settings.defaults();
        if (args.length >= 2) s = s.withSeed(Long.parseLong(args[1]));
        if (args.length >= 4) s = s.withSizes(Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        long t0 = System.nanoTime();
        Layout layout = ensure(Path.of(args[0]), s);
        ChanceLevels c = chanceLevels(layout);
        System.out.printf("demo dataset %s (%s), ready in %.1f s%n", layout.root(), s, (System.nanoTime() - t0) / 1e9);
        System.out.printf("chance levels on val: MR-full-R1@0.5 %.2f, HL-min-VeryGood-mAP %.2f, HL-min-VeryGood-Hit1 %.2f%n",
                c.mrFullR1At05(), c.hlMinVeryGoodMap(), c.hlMinVeryGoodHit1());
    }

    /** Whether {@code dir} holds a complete demo dataset (of any settings). */
    public static boolean isComplete(Path dir) { return Files.isRegularFile(new Layout(dir).marker()); }

    /** The generator proper: one pass over videos, drawing everything from one seeded stream. */
    private static final class Generation {
        private static final String[] NOUNS = {"dog", "beach", "car", "kitchen", "guitar", "mountain", "bicycle", "market",
            "snow", "cake", "train", "garden", "phone", "boat", "crowd", "fire", "horse", "painting", "pool", "bridge",
            "robot", "forest", "drone", "museum"};
        private static final String[] OPENERS = {"a person shows the", "we see the", "someone talks about the", "close-up of the",
            "a woman walks past the", "a man points at the", "the vlogger films the", "kids play near the"};
        private static final String[] CLOSERS = {"in the morning", "outdoors", "on a sunny day", "at night", "with friends",
            "for the camera", "in slow motion", "while talking"};
        private static final int FILLERS = 48;

        private final Settings s;
        private final Layout layout;
        private final Generator g;
        private final float[][] videoConcepts;
        private final float[][] textConcepts;
        private final float[][] fillers;
        private int nextQid = 1;
        private int nextVideo = 1;

        Generation(Settings s, Layout layout) {
            this.s = s;
            this.layout = layout;
            this.g = new Generator(s.seed());
            this.videoConcepts = unitVectors(s.concepts(), s.videoDim());
            this.textConcepts = unitVectors(s.concepts(), s.textDim());
            this.fillers = unitVectors(FILLERS, s.textDim());
        }

        void run() throws IOException {
            List<ObjectNode> train = split(s.trainQueries());
            List<ObjectNode> val = split(s.valQueries());
            writeJsonl(layout.train(), train);
            writeJsonl(layout.val(), val);
        }

        private List<ObjectNode> split(int queries) throws IOException {
            List<ObjectNode> rows = new ArrayList<>();
            while (rows.size() < queries) rows.addAll(video(queries - rows.size()));
            return rows;
        }

        /** One video with 1 or 2 queries (at most {@code room}). */
        private List<ObjectNode> video(int room) throws IOException {
            // As in QVHighlights, many videos run to the maximum length; the rest are spread below it.
            int clips = g.nextDouble() < 0.4 ? s.maxClips() : s.minClips() + g.nextInt(s.maxClips() - s.minClips());
            int duration = 2 * clips;
            String vid = String.format("demo%05d_0.0_%d.0", nextVideo++, duration);
            int nq = room >= 2 && g.nextDouble() < 0.4 ? 2 : 1;
            int[] concepts = RandomSampling.sampleRange(0, s.concepts(), nq + 1, g); // the last one is the distractor's
            boolean[] used = new boolean[clips];

            float[] data = new float[clips * s.videoDim()];
            float[] scene = gaussianUnit(s.videoDim());
            for (int t = 0; t < clips; t++) {
                float[] noise = gaussianUnit(s.videoDim());
                for (int c = 0; c < s.videoDim(); c++) data[t * s.videoDim() + c] = 0.6f * scene[c] + 0.8f * noise[c];
            }

            List<ObjectNode> rows = new ArrayList<>();
            for (int q = 0; q < nq; q++) {
                int concept = concepts[q];
                double u = g.nextDouble();
                int wanted = u < 0.65 ? 1 : u < 0.9 ? 2 : 3;
                List<int[]> windows = new ArrayList<>();
                for (int w = 0; w < wanted; w++) {
                    int[] placed = place(used, windowWidth(clips));
                    if (placed != null) windows.add(placed);
                }
                if (windows.isEmpty()) {
                    int[] placed = place(used, 1);
                    if (placed == null) continue; // the video is full; its other query keeps it
                    windows.add(placed);
                }
                windows.sort((a, b) -> Integer.compare(a[0], b[0]));
                // How strongly each clip shows the concept; the saliency scores follow it relative to the query's peak.
                double[][] amounts = new double[windows.size()][];
                double peak = 0;
                for (int k = 0; k < windows.size(); k++) {
                    amounts[k] = conceptProfile(windows.get(k));
                    for (double a : amounts[k]) peak = Math.max(peak, a);
                }
                ArrayNode ids = JSON.createArrayNode();
                ArrayNode scores = JSON.createArrayNode();
                ArrayNode wins = JSON.createArrayNode();
                for (int k = 0; k < windows.size(); k++) {
                    int[] w = windows.get(k);
                    for (int t = w[0]; t < w[1]; t++) {
                        double amount = amounts[k][t - w[0]];
                        addConcept(data, t, concept, (float) amount);
                        ids.add(t);
                        ArrayNode triple = scores.addArray();
                        for (int a = 0; a < 3; a++) triple.add(annotatorScore(amount / peak));
                    }
                    wins.addArray().add(2 * w[0]).add(2 * w[1]);
                }
                int qid = nextQid++;
                writeText(qid, concept);
                ObjectNode row = JSON.createObjectNode();
                row.put("qid", qid);
                row.put("query", OPENERS[g.nextInt(OPENERS.length)] + " " + NOUNS[concept % NOUNS.length] + " " + CLOSERS[g.nextInt(CLOSERS.length)]);
                row.put("duration", duration);
                row.put("vid", vid);
                row.set("relevant_clip_ids", ids);
                row.set("saliency_scores", scores);
                row.set("relevant_windows", wins);
                rows.add(row);
            }
            if (g.nextDouble() < s.distractorProbability()) {
                int[] placed = place(used, windowWidth(clips));
                if (placed != null) {
                    double[] amounts = conceptProfile(placed);
                    for (int t = placed[0]; t < placed[1]; t++) addConcept(data, t, concepts[nq], (float) amounts[t - placed[0]]);
                }
            }
            Map<String, NdArray> npz = new LinkedHashMap<>();
            npz.put("features", new NdArray("float32", new int[] {clips, s.videoDim()}, data));
            Npz.write(layout.videoDir().resolve(vid + ".npz"), npz);
            return rows;
        }

        /**
         * A window of 3–18 clips (6–36 s), at most half the video: in QVHighlights a moment is on average about a
         * sixth of its video, rarely a single clip, and each of the evaluator's length ranges (short ≤ 10 s, middle,
         * long &gt; 30 s) has moments.
         */
        private int windowWidth(int clips) {
            return Math.min(clips / 2, 3 + g.nextInt(16));
        }

        /**
         * The concept's strength in each clip of a window: a per-window strength in [1.5, 2.5] times a bump that is 0.6
         * at the edges and 1 mid-window — clearly above the clip noise everywhere in the window (so its boundaries
         * are visible), highest in the middle (where the saliency peaks).
         */
        private double[] conceptProfile(int[] window) {
            double strength = 1.5 + g.nextDouble();
            int width = window[1] - window[0];
            double[] a = new double[width];
            for (int i = 0; i < width; i++) a[i] = strength * (0.6 + 0.4 * Math.sin(Math.PI * (i + 0.5) / width));
            return a;
        }

        /**
         * One annotator's 0–4 score of a clip whose concept strength is {@code relative} of the query's peak: the
         * clips near the peak are "very good" (4) for most annotators, with annotator noise.
         */
        private int annotatorScore(double relative) {
            long v = Math.round(4.4 * relative - 0.2 + 0.5 * g.nextGaussian());
            return (int) Math.max(0, Math.min(4, v));
        }

        /** A free run of {@code width} clips with a free clip on each side (so windows never touch), or null. */
        private int[] place(boolean[] used, int width) {
            int clips = used.length;
            if (width > clips) return null;
            for (int attempt = 0; attempt < 40; attempt++) {
                int st = g.nextInt(clips - width + 1);
                boolean free = true;
                for (int t = Math.max(0, st - 1); t < Math.min(clips, st + width + 1) && free; t++) free = !used[t];
                if (free) {
                    for (int t = st; t < st + width; t++) used[t] = true;
                    return new int[] {st, st + width};
                }
            }
            return null;
        }

        private void addConcept(float[] data, int t, int concept, float amount) {
            int d = s.videoDim();
            for (int c = 0; c < d; c++) data[t * d + c] += amount * videoConcepts[concept][c];
        }

        /** Tokens: a start token, 2–3 noisy copies of the concept among filler words, an end token. */
        private void writeText(int qid, int concept) throws IOException {
            int len = 8 + g.nextInt(13);
            int d = s.textDim();
            float[] data = new float[len * d];
            int[] conceptSlots = RandomSampling.sampleRange(1, len - 1, 2 + g.nextInt(2), g);
            boolean[] isConcept = new boolean[len];
            for (int i : conceptSlots) isConcept[i] = true;
            for (int i = 0; i < len; i++) {
                float[] base = i == 0 ? fillers[0] : i == len - 1 ? fillers[1] : isConcept[i] ? textConcepts[concept] : fillers[2 + g.nextInt(FILLERS - 2)];
                float[] noise = gaussianUnit(d);
                float amount = isConcept[i] ? 0.4f : 0.15f;
                for (int c = 0; c < d; c++) data[i * d + c] = base[c] + amount * noise[c];
            }
            Map<String, NdArray> npz = new LinkedHashMap<>();
            npz.put("last_hidden_state", new NdArray("float32", new int[] {len, d}, data));
            Npz.write(layout.textDir().resolve("qid" + qid + ".npz"), npz);
        }

        private float[][] unitVectors(int n, int d) {
            float[][] v = new float[n][];
            for (int i = 0; i < n; i++) v[i] = gaussianUnit(d);
            return v;
        }

        private float[] gaussianUnit(int d) {
            double[] x = new double[d];
            double norm = 0;
            for (int i = 0; i < d; i++) {
                x[i] = g.nextGaussian();
                norm += x[i] * x[i];
            }
            norm = Math.sqrt(norm);
            float[] out = new float[d];
            for (int i = 0; i < d; i++) out[i] = (float) (x[i] / norm);
            return out;
        }
    }

    private static void writeJsonl(Path file, List<ObjectNode> rows) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (ObjectNode r : rows) sb.append(JSON.writeValueAsString(r)).append('\n');
        DurableFiles.writeString(file, sb.toString());
    }
}
