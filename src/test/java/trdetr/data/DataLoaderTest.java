package trdetr.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.loss.Targets;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;

/** Collation (shapes, padding, masks, targets) and batch order (shuffle, resume, workers, eval order). */
class DataLoaderTest {
    @TempDir Path tmp;
    MomentDataset ds;

    @BeforeEach
    void write() throws IOException {
        Path vid = tmp.resolve("video");
        Path txt = tmp.resolve("text");
        String[] lines = new String[7];
        for (int i = 0; i < 7; i++) {
            int clips = 4 + i;     // 4..10 clips
            int tokens = 2 + i % 3; // 2..4 tokens
            DataFiles.npz(vid.resolve("v" + i + ".npz"), "features", DataFiles.array(i, clips, 3, "float32"));
            DataFiles.npz(txt.resolve("qid" + i + ".npz"), "last_hidden_state", DataFiles.array(50 + i, tokens, 5, "float32"));
            int windows = i == 6 ? 7 : 1 + i % 2;
            StringBuilder w = new StringBuilder("[");
            for (int k = 0; k < windows; k++) w.append(k == 0 ? "" : ", ").append("[").append(k).append(", ").append(k + 1).append("]");
            lines[i] = MomentDatasetTest.row(i, "v" + i, 2 * clips, "[1, 2]", "[[1, 2, 3], [0, 1, 0]]", w + "]");
        }
        Path ann = DataFiles.jsonl(tmp.resolve("train.jsonl"), lines);
        ds = MomentDataset.open(DatasetOptions.builder(DatasetKind.QVHIGHLIGHTS, ann).videoDirs(vid).textDir(txt).build());
    }

    @Test
    void collatesWithPaddingMasksAndTargets() {
        Batch b = Collator.collate(List.of(ds.get(0, new Generator(0)), ds.get(5, new Generator(0)), ds.get(6, new Generator(0))));
        assertThat(b.size()).isEqualTo(3);
        assertThat(b.srcTxt().shape()).containsExactly(3, 4, 5);
        assertThat(b.srcTxt().dtype()).isEqualTo(DType.FLOAT32);
        assertThat(b.srcVid().shape()).containsExactly(3, 10, 3 + 2);
        assertThat(b.videoLength()).isEqualTo(10);
        assertThat(b.videoLengths()).containsExactly(4, 9, 10);
        assertThat(b.textLengths()).containsExactly(2, 4, 2);
        assertThat(b.validLength(1)).isEqualTo(9);
        float[] vm = b.srcVidMask().toFloatArray();
        for (int i = 0; i < 10; i++) {
            assertThat(vm[i]).isEqualTo(i < 4 ? 1f : 0f);
            assertThat(vm[10 + i]).isEqualTo(i < 9 ? 1f : 0f);
            assertThat(vm[20 + i]).isEqualTo(1f);
        }
        float[] tm = b.srcTxtMask().toFloatArray();
        assertThat(tm).containsExactly(1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0);
        // padded rows are zero, real rows are the sample's
        float[] v = b.srcVid().toFloatArray();
        for (int r = 4; r < 10; r++) for (int c = 0; c < 5; c++) assertThat(v[(r) * 5 + c]).isZero();
        assertThat(Arrays.copyOfRange(v, 0, 4 * 5)).containsExactly(ds.get(0, new Generator(0)).video().data());

        Targets t = b.targets();
        assertThat(t.spans()).hasSize(3);
        assertThat(t.spans().get(0).shape()).containsExactly(1, 2);
        assertThat(t.spans().get(1).shape()).containsExactly(2, 2);
        assertThat(t.spans().get(2).shape()).containsExactly(5, 2); // 7 windows → 5
        assertThat(t.spans().get(0).dtype()).isEqualTo(DType.FLOAT32);
        assertThat(t.posLabels().dtype()).isEqualTo(DType.INT64);
        assertThat(t.posLabels().shape()).containsExactly(3, 2);
        assertThat(t.negLabels().shape()).containsExactly(3, 2);
        assertThat(t.allLabels().shape()).containsExactly(3, 10);
        assertThat(t.posMask().shape()).containsExactly(3, 10);
        float[] all = t.allLabels().toFloatArray();
        assertThat(Arrays.copyOfRange(all, 0, 10)).containsExactly(0, 6, 1, 0, 0, 0, 0, 0, 0, 0);
        float[] pm = t.posMask().toFloatArray();
        assertThat(Arrays.copyOfRange(pm, 0, 10)).containsExactly(0, 1, 1, 0, 0, 0, 0, 0, 0, 0);
        long[] pos = t.posLabels().toLongArray();
        assertThat(pos[0]).isEqualTo(1); // hard positive: id 1 (sum 6)
        assertThat(b.annotation(2).qid()).isEqualTo("6");
        assertThat(b.indices()).containsExactly(0, 5, 6);
    }

    @Test
    void labelsLongerThanTheBatchAreCutAndIndicesClamped() {
        // A grown label row (ctx_l + 1) in the longest sample: the official loss would fail; we cut to Lv.
        Annotation a = ds.annotation(0);
        SampleLabels l = new SampleLabels(new float[][] {{0.5f, 0.1f}}, new long[] {3, 4}, new long[] {0, 1},
                new float[] {0, 1, 2, 3, 4}, new float[] {0, 0, 0, 0, 1});
        Sample s = new Sample(0, a, ds.get(0, new Generator(0)).text(), ds.get(0, new Generator(0)).video(), null, l);
        Batch b = Collator.collate(List.of(s));
        assertThat(b.targets().allLabels().toFloatArray()).containsExactly(0, 1, 2, 3);
        assertThat(b.targets().posMask().toFloatArray()).containsExactly(0, 0, 0, 0);
        assertThat(b.targets().posLabels().toLongArray()).containsExactly(3, 3);
    }

    @Test
    void trainingOrderIsAReproduciblePermutationPerEpoch() {
        DataLoader loader = DataLoader.training(ds, 3, 2017);
        assertThat(loader.numBatches()).isEqualTo(3); // 3 + 3 + 1, drop_last false
        List<Integer> sizes = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (Batch b : loader.epoch(0)) {
            sizes.add(b.size());
            for (int i : b.indices()) assertThat(seen.add(i)).isTrue();
        }
        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(seen).hasSize(7);
        assertThat(loader.order(0)).containsExactly(DataLoader.permutation(2017, 0, 7));
        assertThat(DataLoader.permutation(2017, 0, 7)).containsExactly(DataLoader.permutation(2017, 0, 7));
        assertThat(DataLoader.permutation(2017, 1, 7)).isNotEqualTo(DataLoader.permutation(2017, 0, 7));
        assertThat(DataLoader.permutation(2018, 0, 7)).isNotEqualTo(DataLoader.permutation(2017, 0, 7));
        int[] p = DataLoader.permutation(1, 3, 1000);
        assertThat(Arrays.stream(p).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 1000).toArray());
    }

    @Test
    void resumingMidEpochAndWorkersGiveTheSameBatches() {
        DataLoader loader = DataLoader.training(ds, 2, 7);
        List<Batch> full = new ArrayList<>();
        for (Batch b : loader.epoch(3)) full.add(b);
        // a fresh loader resuming at batch 2 of epoch 3 needs no saved state
        List<Batch> resumed = new ArrayList<>();
        for (Batch b : DataLoader.training(ds, 2, 7).epoch(3, 2)) resumed.add(b);
        assertThat(resumed).hasSize(full.size() - 2);
        for (int i = 0; i < resumed.size(); i++) assertSameBatch(resumed.get(i), full.get(i + 2));
        try (DataLoader parallel = loader.withWorkers(3)) {
            List<Batch> par = new ArrayList<>();
            for (Batch b : parallel.epoch(3)) par.add(b);
            assertThat(par).hasSize(full.size());
            for (int i = 0; i < par.size(); i++) assertSameBatch(par.get(i), full.get(i));
        }
        assertSameBatch(loader.batch(3, 1), full.get(1));
    }

    @Test
    void evaluationIsFileOrder() {
        DataLoader eval = DataLoader.evaluation(ds, 100);
        List<Batch> batches = new ArrayList<>();
        for (Batch b : eval.epoch(0)) batches.add(b);
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).indices()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        DataLoader small = DataLoader.evaluation(ds, 4);
        List<Integer> order = new ArrayList<>();
        for (Batch b : small.epoch(5)) for (int i : b.indices()) order.add(i);
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void workerErrorsSurfaceAsThemselves() throws IOException {
        java.nio.file.Files.delete(tmp.resolve("video").resolve("v3.npz")); // after opening: a read failure mid-epoch
        try (DataLoader loader = DataLoader.evaluation(ds, 2).withWorkers(2)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                for (Batch b : loader.epoch(0)) assertThat(b).isNotNull();
            }).isInstanceOf(trdetr.io.FormatException.class).hasMessageContaining("v3.npz: video features file not found for qid 3 (vid v3)");
        }
    }

    static void assertSameBatch(Batch a, Batch b) {
        assertThat(a.indices()).containsExactly(b.indices());
        assertThat(a.srcVid().toFloatArray()).containsExactly(b.srcVid().toFloatArray());
        assertThat(a.srcTxt().toFloatArray()).containsExactly(b.srcTxt().toFloatArray());
        assertThat(a.targets().posLabels().toLongArray()).containsExactly(b.targets().posLabels().toLongArray());
        assertThat(a.targets().negLabels().toLongArray()).containsExactly(b.targets().negLabels().toLongArray());
        for (int i = 0; i < a.size(); i++) assertThat(a.targets().spans().get(i).toFloatArray()).containsExactly(b.targets().spans().get(i).toFloatArray());
    }
}
