package trdetr.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.io.Npz;
import trdetr.tensor.Generator;

class DemoDatasetTest {
    @TempDir Path tmp;

    static final DemoDataset.Settings SMALL = DemoDataset.Settings.defaults().withSizes(40, 12);

    @Test
    void generationIsDeterministic() throws IOException {
        DemoDataset.ensure(tmp.resolve("a"), SMALL);
        DemoDataset.ensure(tmp.resolve("b"), SMALL);
        List<Path> filesA = files(tmp.resolve("a"));
        assertThat(filesA.size()).isGreaterThan(40);
        assertThat(filesA.stream().map(p -> tmp.resolve("a").relativize(p).toString()).toList())
                .isEqualTo(files(tmp.resolve("b")).stream().map(p -> tmp.resolve("b").relativize(p).toString()).toList());
        for (Path a : filesA) {
            Path b = tmp.resolve("b").resolve(tmp.resolve("a").relativize(a));
            if (a.toString().endsWith(".npz")) {
                // zip entries carry the write time: compare the arrays
                assertThat(Npz.read(b)).as(a.toString()).isEqualTo(Npz.read(a));
            } else {
                assertThat(Files.readAllBytes(b)).as(a.toString()).isEqualTo(Files.readAllBytes(a));
            }
        }
        DemoDataset.ensure(tmp.resolve("c"), SMALL.withSeed(99));
        assertThat(Files.readString(tmp.resolve("c").resolve("train.jsonl"))).isNotEqualTo(Files.readString(tmp.resolve("a").resolve("train.jsonl")));
    }

    @Test
    void aCompleteDatasetIsReusedAndAPartialOneRegenerated() throws IOException {
        Path dir = tmp.resolve("demo");
        DemoDataset.Layout layout = DemoDataset.ensure(dir, SMALL);
        assertThat(DemoDataset.isComplete(dir)).isTrue();
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(layout.train(), old);
        DemoDataset.ensure(dir, SMALL);
        assertThat(Files.getLastModifiedTime(layout.train())).isEqualTo(old); // not rewritten
        assertThatThrownBy(() -> DemoDataset.ensure(dir, SMALL.withSeed(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds a demo dataset made with other settings");
        // interrupted generation (no marker): written again from scratch
        Files.delete(layout.marker());
        Files.writeString(layout.train(), "half");
        DemoDataset.ensure(dir, SMALL);
        assertThat(Files.readString(layout.train())).startsWith("{\"qid\":1,");
        assertThat(DemoDataset.isComplete(dir)).isTrue();
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count()).isZero();
        }
    }

    @Test
    void fieldsAreConsistentLikeTheRealData() throws IOException {
        DemoDataset.Layout layout = DemoDataset.ensure(tmp.resolve("demo"), SMALL);
        List<Annotation> train = AnnotationReader.read(layout.train(), DatasetKind.QVHIGHLIGHTS, true, 1.0, null);
        List<Annotation> val = AnnotationReader.read(layout.val(), DatasetKind.QVHIGHLIGHTS, true, 1.0, null);
        assertThat(train).hasSize(40);
        assertThat(val).hasSize(12);
        Set<String> qids = new HashSet<>();
        Set<String> trainVids = new HashSet<>();
        Set<Integer> windowCounts = new TreeSet<>();
        Set<Double> durations = new TreeSet<>();
        for (Annotation a : train) trainVids.add(a.vid());
        for (Annotation a : val) assertThat(trainVids).doesNotContain(a.vid());
        List<Annotation> all = new ArrayList<>(train);
        all.addAll(val);
        for (Annotation a : all) {
            assertThat(qids.add(a.qid())).as("unique qid").isTrue();
            assertThat(a.numericQid()).isTrue();
            int clips = (int) (a.duration() / 2);
            assertThat(a.duration()).isBetween(2.0 * SMALL.minClips(), 2.0 * SMALL.maxClips());
            assertThat(a.duration() % 2).isZero();
            durations.add(a.duration());
            windowCounts.add(a.relevantWindows().length);
            assertThat(a.relevantWindows().length).isBetween(1, 3);
            TreeSet<Integer> fromWindows = new TreeSet<>();
            double prevEnd = -1;
            for (double[] w : a.relevantWindows()) {
                assertThat(w[0] % 2).isZero();
                assertThat(w[1] % 2).isZero();
                assertThat(w[1] - w[0]).isBetween(2.0, 40.0);
                assertThat(w[0]).isGreaterThan(prevEnd); // sorted, not touching
                assertThat(w[1]).isLessThanOrEqualTo(a.duration());
                prevEnd = w[1];
                for (int c = (int) w[0] / 2; c < (int) w[1] / 2; c++) fromWindows.add(c);
            }
            List<Integer> ids = new ArrayList<>();
            for (int id : a.relevantClipIds()) ids.add(id);
            assertThat(ids).containsExactlyElementsOf(fromWindows);
            assertThat(ids.get(ids.size() - 1)).isLessThan(clips);
            assertThat(a.saliencyScores()).hasNumberOfRows(ids.size());
            for (int[] s : a.saliencyScores()) {
                assertThat(s).hasSize(3);
                for (int v : s) assertThat(v).isBetween(0, 4);
            }
            assertThat(Files.isRegularFile(layout.videoDir().resolve(a.vid() + ".npz"))).isTrue();
            assertThat(Files.isRegularFile(layout.textDir().resolve("qid" + a.qid() + ".npz"))).isTrue();
        }
        assertThat(windowCounts).contains(1, 2);
        assertThat(durations).contains(2.0 * SMALL.maxClips()).hasSizeGreaterThan(5);
    }

    @Test
    void loadsThroughTheDatasetAndHasSensibleChanceLevels() throws IOException {
        DemoDataset.Layout layout = DemoDataset.ensure(tmp.resolve("demo"), SMALL);
        MomentDataset train = MomentDataset.open(layout.options("train"));
        assertThat(train.videoDim()).isEqualTo(64 + 2);
        assertThat(train.textDim()).isEqualTo(32);
        Batch b = DataLoader.training(train, 32, 1).batch(0, 0);
        assertThat(b.srcVid().shape()[0]).isEqualTo(32);
        assertThat(b.srcVid().shape()[1]).isBetween(20, 75);
        Sample s = train.get(0, new Generator(0));
        assertThat(s.ctxLength()).isEqualTo((int) (s.annotation().duration() / 2));

        ChanceLevels c = DemoDataset.chanceLevels(layout);
        assertThat(c.mrFullR1At05()).isBetween(2.0, 30.0);
        assertThat(c.hlMinVeryGoodMap()).isBetween(2.0, 40.0);
        assertThat(c.hlMinVeryGoodHit1()).isBetween(1.0, 40.0);
    }

    @Test
    void chanceLevelFormulas() {
        // One GT window [0, 4] in a 4-clip (8 s) video: of the 10 grid windows, [0,2], [0,4], [0,6], [0,8], [2,4]
        // have IoU ≥ 0.5
        Annotation a = new Annotation(Path.of("x"), 1, "1", true, "q", 8, "v", new double[][] {{0, 4}}, new int[] {0, 1},
                new int[][] {{4, 4, 4}, {1, 1, 1}}, null, null);
        assertThat(ChanceLevels.randomWindowHitRate(a, 0.5)).isEqualTo(5.0 / 10.0);
        assertThat(ChanceLevels.iou(0, 4, 2, 6)).isEqualTo(2.0 / 6.0);
        // get_ap: positives ranked 1st and 3rd → precisions 1 and 2/3 → mean 5/6
        assertThat(ChanceLevels.averagePrecision(new boolean[] {true, false, true, false}, new double[] {0.9, 0.8, 0.7, 0.1}))
                .isCloseTo(5.0 / 6.0, org.assertj.core.data.Offset.offset(1e-12));
        // the official interpolation takes the running max from the low-threshold end: a late positive lifts nothing
        assertThat(ChanceLevels.averagePrecision(new boolean[] {false, true}, new double[] {0.9, 0.1})).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(ChanceLevels.averagePrecision(new boolean[] {false, false}, new double[] {1, 2})).isZero();
        assertThat(ChanceLevels.averagePrecision(new boolean[] {true, true}, new double[] {1, 2})).isEqualTo(1.0);
        // ties: one threshold for the tied pair → precision 1/2 at recall 1
        assertThat(ChanceLevels.averagePrecision(new boolean[] {true, false}, new double[] {0.5, 0.5})).isEqualTo(0.5);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
