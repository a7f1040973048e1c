package trdetr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import trdetr.tensor.Tensor;

class TorchCheckpointTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"sd_zip.pt", "sd_legacy.pt", "sd_archive.pt"})
    void readsStateDictsWithViewsOfSharedStorages(String name) throws IOException {
        Path f = Fixtures.file(name);
        TorchCheckpoint.Checkpoint ck = TorchCheckpoint.read(f);
        Fixtures.assertMatches(Fixtures.expected("torch", name), ck.stateDict(), name);
        assertThat(ck.opt()).isEmpty();
        assertThat(ck.epoch()).isNull();
        Tensor t = ck.stateDict().get("enc.weight_t");
        assertThat(t.shape()).containsExactly(6, 4);
        assertThat(t.toFloatArray()[1]).isEqualTo(0.0f); // base[1][0] = 6 * 0.5 - 3
        // views are independent copies: no aliasing between keys that shared a storage in Python
        assertThat(ck.stateDict().get("enc.weight").storage()).isNotSameAs(t.storage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ckpt_zip.pth", "ckpt_legacy.pth"})
    void readsTheOfficialCheckpointLayout(String name) throws IOException {
        Path f = Fixtures.file(name);
        TorchCheckpoint.Checkpoint ck = TorchCheckpoint.read(f);
        JsonNode exp = Fixtures.expected("torch", name);
        // every entry, the optimizer and scheduler state included
        Fixtures.assertMatches(exp, ck.raw(), name);
        assertThat(ck.stateDict().keySet()).containsExactly("0.weight", "0.bias", "1.weight", "1.bias");
        assertThat(ck.epoch()).isEqualTo(3L);
        Map<String, Object> opt = ck.opt();
        assertThat(opt).containsEntry("v_feat_dim", 2816L).containsEntry("ctx_mode", "video_tef").containsEntry("lr", 1e-4)
                .containsEntry("use_txt_pos", false).containsEntry("resume", null).containsEntry("device", "cuda:0")
                .containsEntry("np_float", 0.25).containsEntry("np_int", 7L).containsEntry("np_f32", 1.5).containsEntry("np_bool", true)
                .containsEntry("v_feat_dirs", List.of("features/slowfast_features", "features/clip_features"))
                .containsEntry("betas", List.of(0.9, 0.999));
        @SuppressWarnings("unchecked")
        Map<String, Object> optimizer = (Map<String, Object>) ck.raw().get("optimizer");
        @SuppressWarnings("unchecked")
        Map<Object, Object> state = (Map<Object, Object>) optimizer.get("state");
        assertThat(state.keySet()).containsExactly(0L, 1L, 2L, 3L);
    }

    /**
     * Lighthouse's layout (tools/make_lighthouse_checkpoint.py --tiny): its options are an easydict.EasyDict (items then
     * attributes in the pickle), with a nested dict that EasyDict turns into another.
     */
    @Test
    void readsLighthouseCheckpointsWhoseOptionsAreAnEasyDict() throws IOException {
        TorchCheckpoint.Checkpoint ck = TorchCheckpoint.read(Path.of("src/test/resources/io/lighthouse_format.ckpt"));
        assertThat(ck.stateDict().keySet()).containsExactly("input_vid_proj.0.LayerNorm.weight", "input_txt_proj.0.LayerNorm.weight");
        assertThat(ck.opt()).containsEntry("v_feat_dim", 514L).containsEntry("t_feat_dim", 512L).containsEntry("dset_name", "qvhighlight")
                .containsEntry("enc_layers", 2L).containsEntry("a_feat_dim", null).containsEntry("aux_loss", true);
        assertThat(ck.opt().get("data_paths")).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) ck.opt().get("data_paths")).get("val")).isEqualTo("data/qvhighlight/highlight_val_release.jsonl");
        assertThat(ck.epoch()).isEqualTo(199L);
        assertThat(ck.raw().keySet()).containsExactly("model", "optimizer", "lr_scheduler", "epoch", "opt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil_zip.pt", "evil_legacy.pt"})
    void rejectsGlobalsOutsideTheAllowListWithoutRunningThem(String name) throws IOException {
        Path marker = Path.of("/tmp/trdetr-io-pwned-" + (name.contains("zip") ? "zip" : "legacy"));
        Files.deleteIfExists(marker);
        Path f = Fixtures.file(name);
        assertThatThrownBy(() -> TorchCheckpoint.read(f)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining("'os.system'").hasMessageContaining("allow-list");
        assertThat(marker).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd_zip.pt", "sd_legacy.pt", "ckpt_zip.pth", "ckpt_legacy.pth"})
    void rejectsTruncatedFiles(String name) throws IOException {
        long size = Files.size(Fixtures.file(name));
        for (long cut : new long[] {1, 8, 100, size / 2, size - 40, size - 3}) {
            Path p = Fixtures.truncated(tmp, name, (int) cut);
            assertThatThrownBy(() -> TorchCheckpoint.read(p)).as(name + " cut " + cut).isInstanceOf(FormatException.class)
                    .hasMessageStartingWith(p + ": ").hasMessageNotContaining("\n");
        }
    }

    /** ZipFile does not check CRC-32: without CheckedZip.read a flipped byte in a stored tensor loads as a wrong weight. */
    @Test
    void refusesAFlippedByteInAStoredTensor() throws IOException {
        byte[] b = Files.readAllBytes(Fixtures.file("sd_zip.pt"));
        String member;
        byte[] storage;
        try (ZipFile z = new ZipFile(Fixtures.file("sd_zip.pt").toFile())) {
            ZipEntry e = z.stream().filter(x -> x.getName().contains("/data/") && x.getSize() >= 16).findFirst().orElseThrow();
            member = e.getName();
            storage = z.getInputStream(e).readAllBytes();
        }
        b[NpzTest.indexOf(b, storage) + storage.length / 2] ^= 0x40;
        Path p = tmp.resolve("flipped.pt");
        Files.write(p, b);
        assertThatThrownBy(() -> TorchCheckpoint.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": member '" + member + "': CRC-32 mismatch (the file is corrupt)");
    }

    @Test
    void everyCutOfALegacyFileIsRejectedCleanly() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.file("sd_legacy.pt"));
        for (int cut = 1; cut < all.length; cut += 7) {
            Path p = Fixtures.truncated(tmp, "sd_legacy.pt", cut);
            assertThatThrownBy(() -> TorchCheckpoint.read(p)).as("cut " + cut).isInstanceOf(FormatException.class);
            Files.delete(p);
        }
    }

    /** A zip checkpoint whose data.pkl is the given pickle. */
    private Path zipWith(String name, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Path p = tmp.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry("ck/data.pkl"));
            z.write(pickle);
            z.closeEntry();
            for (Map.Entry<String, byte[]> s : storages.entrySet()) {
                z.putNextEntry(new ZipEntry("ck/data/" + s.getKey()));
                z.write(s.getValue());
                z.closeEntry();
            }
        }
        return p;
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object o : parts) {
            if (o instanceof String s) out.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            else if (o instanceof Integer i) out.write(i);
            else out.writeBytes((byte[]) o);
        }
        return out.toByteArray();
    }

    private static byte[] le4(int v) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** {'w': _rebuild_tensor_v2(storage('0', numel), offset, (size,), (stride,), False, OrderedDict())} */
    private static byte[] tensorPickle(int numel, int offset, int size, int stride) {
        return bytes(0x80, 2, "}", "X", new byte[] {1, 0, 0, 0}, "w",
                "ctorch._utils\n_rebuild_tensor_v2\n", "(",
                "(", "X", new byte[] {7, 0, 0, 0}, "storage", "ctorch\nFloatStorage\n", "X", new byte[] {1, 0, 0, 0}, "0",
                "X", new byte[] {3, 0, 0, 0}, "cpu", "J", le4(numel), "t", "Q",
                "J", le4(offset), "J", le4(size), 0x85, "J", le4(stride), 0x85, 0x89, "ccollections\nOrderedDict\n", ")", "R", "t", "R", "s", ".");
    }

    @Test
    void honoursOffsetsAndStridesAndChecksTheirBounds() throws IOException {
        byte[] storage = new byte[16];
        java.nio.ByteBuffer.wrap(storage).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(new float[] {10, 11, 12, 13});
        Path ok = zipWith("ok.pt", tensorPickle(4, 1, 2, 2), Map.of("0", storage));
        assertThat(TorchCheckpoint.read(ok).stateDict().get("w").toFloatArray()).containsExactly(11, 13);

        Path past = zipWith("past.pt", tensorPickle(4, 1, 3, 2), Map.of("0", storage));
        assertThatThrownBy(() -> TorchCheckpoint.read(past)).isInstanceOf(FormatException.class)
                .hasMessageStartingWith(past + ": ck/data.pkl at byte ").hasMessageContaining("reach element 5 of a storage of 4");

        Path shortStorage = zipWith("short.pt", tensorPickle(4, 0, 4, 1), Map.of("0", new byte[12]));
        assertThatThrownBy(() -> TorchCheckpoint.read(shortStorage)).isInstanceOf(FormatException.class)
                .hasMessageContaining("ck/data/0");

        Path expanded = zipWith("expanded.pt", tensorPickle(1, 0, 1 << 30, 0), Map.of("0", new byte[4]));
        assertThatThrownBy(() -> TorchCheckpoint.read(expanded)).isInstanceOf(FormatException.class)
                .hasMessageContaining("more elements than the file can account for");
        Path broadcast = zipWith("broadcast.pt", tensorPickle(1, 0, 1000, 0), Map.of("0", storage.clone()));
        assertThatThrownBy(() -> TorchCheckpoint.read(broadcast)).isInstanceOf(FormatException.class).hasMessageContaining("holds 16 bytes");
        Path smallExpand = zipWith("small.pt", tensorPickle(1, 0, 1000, 0), Map.of("0", java.util.Arrays.copyOf(storage, 4)));
        assertThat(TorchCheckpoint.read(smallExpand).stateDict().get("w").toFloatArray()).hasSize(1000).containsOnly(10f);

        Path missing = zipWith("missing.pt", tensorPickle(4, 0, 4, 1), Map.of());
        assertThatThrownBy(() -> TorchCheckpoint.read(missing)).isInstanceOf(FormatException.class)
                .hasMessageContaining("'ck/data/0' is missing");
    }

    @Test
    void rejectsOtherDangerousOrUnsupportedPickles() throws IOException {
        Object[][] cases = {
            {bytes(0x80, 2, "cbuiltins\neval\n", "X", new byte[] {1, 0, 0, 0}, "1", 0x85, "R", "."), "'builtins.eval'"},
            {bytes(0x80, 4, 0x8c, 5, "posix", 0x8c, 6, "system", 0x93, "."), "'posix.system'"},
            {bytes(0x80, 2, "ctorch\nFloatStorage\n", ")", "R", "."), "cannot be called"},
            {bytes(0x80, 2, "}", "X", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}, "."), "runs past the end"},
            {bytes(0x80, 2, "]", "]", "a", "h", 0, "."), "memo entry 0"},
            {bytes(0x80, 2, "}", "]", "N", "s", "."), "dict key"},
            {bytes(0x80, 2, "(", "."), "STOP"},
            {bytes(0x80, 2, "ccollections\nOrderedDict\n", ")", "R", "X", new byte[] {3, 0, 0, 0}, "abc", "b", "."), "BUILD"},
            {bytes(0x80, 2, "}"), "truncated"},
        };
        int i = 0;
        for (Object[] c : cases) {
            Path p = zipWith("bad" + (i++) + ".pt", (byte[]) c[0], Map.of());
            assertThatThrownBy(() -> TorchCheckpoint.load(p)).as((String) c[1]).isInstanceOf(FormatException.class)
                    .hasMessageStartingWith(p + ": ck/data.pkl at byte ").hasMessageContaining((String) c[1]);
        }
    }

    @Test
    void rejectsFilesThatAreNotCheckpoints() throws IOException {
        Path text = tmp.resolve("x.pt");
        Files.writeString(text, "hello");
        assertThatThrownBy(() -> TorchCheckpoint.read(text)).isInstanceOf(FormatException.class).hasMessageContaining("not a torch.save file");
        Path empty = tmp.resolve("empty.pt");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> TorchCheckpoint.read(empty)).isInstanceOf(FormatException.class).hasMessageContaining("empty");
        Path npz = Fixtures.file("stored.npz");
        assertThatThrownBy(() -> TorchCheckpoint.read(npz)).isInstanceOf(FormatException.class).hasMessageContaining("data.pkl");
    }

    @Test
    void readsATorchScriptArchivesTensorsByStateDictName() throws IOException {
        Path f = Path.of("src/test/resources/clip/openai.pt");   // torch.jit.trace of OpenAI's CLIP (tools/make_clip_fixtures.py)
        Map<String, Tensor> sd = TorchCheckpoint.readScriptModule(f);
        // the names and order of torch.jit.load(f).state_dict()
        assertThat(sd).hasSize(74);
        assertThat(sd.keySet()).startsWith("positional_embedding", "text_projection", "logit_scale", "visual.class_embedding",
                "visual.positional_embedding", "visual.proj");
        assertThat(sd.get("visual.conv1.weight").shape()).containsExactly(48, 3, 8, 8);
        assertThat(sd.get("transformer.resblocks.1.attn.in_proj_weight").shape()).containsExactly(192, 64);
        assertThat(TorchCheckpoint.readWeights(f).keySet()).isEqualTo(sd.keySet());
        assertThatThrownBy(() -> TorchCheckpoint.read(f)).isInstanceOf(FormatException.class)
                .hasMessage(f + ": a TorchScript archive (torch.jit.save), not a torch.save checkpoint");
        Path plain = Fixtures.file("sd_zip.pt");
        assertThatThrownBy(() -> TorchCheckpoint.readScriptModule(plain)).isInstanceOf(FormatException.class)
                .hasMessage(plain + ": not a TorchScript archive (torch.jit.save): it holds a dict, not a module");
        assertThat(TorchCheckpoint.readWeights(plain).keySet()).isEqualTo(TorchCheckpoint.read(plain).stateDict().keySet());
    }

    @Test
    void aTorchScriptArchiveStillAllowsNothingButItsOwnInertClasses() throws IOException {
        byte[] evil = bytes(0x80, 2, "cos\nsystem\n", "X", new byte[] {2, 0, 0, 0}, "id", 0x85, "R", ".");
        Path p = scriptZipWith("evil_script.pt", evil);
        assertThatThrownBy(() -> TorchCheckpoint.readScriptModule(p)).isInstanceOf(FormatException.class)
                .hasMessageContaining("'os.system'").hasMessageContaining("allow-list");
        byte[] called = bytes(0x80, 2, "c__torch__\nM\n", ")", "R", ".");          // a script class called, not instantiated
        Path c = scriptZipWith("called.pt", called);
        assertThatThrownBy(() -> TorchCheckpoint.readScriptModule(c)).isInstanceOf(FormatException.class).hasMessageContaining("cannot be called");
        byte[] module = bytes(0x80, 2, "c__torch__\nM\n", ")", 0x81, ".");
        Path notScript = zipWith("not_script.pt", module, Map.of());                 // no code/ or constants.pkl: a plain checkpoint
        assertThatThrownBy(() -> TorchCheckpoint.load(notScript)).isInstanceOf(FormatException.class)
                .hasMessageContaining("'__torch__.M' is not on the allow-list");
        // a module that is its own attribute ("me"): walked once
        byte[] loop = bytes(0x80, 2, "c__torch__\nM\n", ")", 0x81, "q", 0, "}", "X", new byte[] {2, 0, 0, 0}, "me", "h", 0, "s", "b", ".");
        assertThat(TorchCheckpoint.readScriptModule(scriptZipWith("loop.pt", loop))).isEmpty();
    }

    /** A TorchScript-shaped archive: ck/data.pkl beside ck/constants.pkl and a ck/code/ record. */
    private Path scriptZipWith(String name, byte[] pickle) throws IOException {
        Path p = tmp.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            for (String entry : new String[] {"ck/data.pkl", "ck/constants.pkl", "ck/code/__torch__/m.py"}) {
                z.putNextEntry(new ZipEntry(entry));
                z.write(entry.endsWith("data.pkl") ? pickle : new byte[0]);
                z.closeEntry();
            }
        }
        return p;
    }
}
