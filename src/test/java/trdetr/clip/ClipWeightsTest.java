package trdetr.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.backend.cpu.CpuBackend;
import trdetr.io.FormatException;
import trdetr.io.NdArray;
import trdetr.io.SafeTensors;
import trdetr.io.StateDicts;
import trdetr.io.TorchCheckpoint;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** Loading a Hugging Face CLIP folder: what a bad weights file says, in one line naming the file and the keys. */
class ClipWeightsTest {
    @TempDir Path tmp;

    /** A copy of the fixture folder whose model.safetensors has been edited. */
    private Path folderWith(Consumer<Map<String, NdArray>> edit) throws Exception {
        Files.copy(ClipReference.DIR.resolve("config.json"), tmp.resolve("config.json"));
        Map<String, NdArray> arrays = new LinkedHashMap<>(SafeTensors.readArrays(ClipReference.DIR.resolve("model.safetensors")));
        edit.accept(arrays);
        SafeTensors.writeArrays(tmp.resolve("model.safetensors"), arrays, null);
        return tmp;
    }

    @Test
    void aMissingKeyIsNamed() throws Exception {
        Path dir = folderWith(a -> a.remove("text_model.encoder.layers.1.self_attn.k_proj.bias"));
        assertThatThrownBy(() -> ClipModel.load(dir, CpuBackend.INSTANCE, DType.FLOAT32))
                .isInstanceOf(FormatException.class)
                .hasMessage(dir.resolve("model.safetensors") + ": missing keys: text_model.encoder.layers.1.self_attn.k_proj.bias");
    }

    @Test
    void aMisShapedKeyIsNamedWithBothShapes() throws Exception {
        Path dir = folderWith(a -> a.put("visual_projection.weight", new NdArray("float32", new int[] {32, 47}, new float[32 * 47])));
        assertThatThrownBy(() -> ClipModel.load(dir, CpuBackend.INSTANCE, DType.FLOAT32))
                .isInstanceOf(FormatException.class)
                .hasMessage(dir.resolve("model.safetensors") + ": key visual_projection.weight has shape [32, 47] in the file but [32, 48] in the model");
    }

    @Test
    void unexpectedKeysAreNamedButTheOldPositionIdBuffersAreSkipped() throws Exception {
        Path dir = folderWith(a -> {
            a.put("text_model.pooler.weight", new NdArray("float32", new int[] {2}, new float[2]));
            a.remove("logit_scale");
        });
        assertThatThrownBy(() -> ClipModel.load(dir, CpuBackend.INSTANCE, DType.FLOAT32))
                .hasMessage(dir.resolve("model.safetensors") + ": missing keys: logit_scale; unexpected keys: text_model.pooler.weight");
        Path without = Files.createDirectories(tmp.resolve("no-buffers"));
        Files.copy(ClipReference.DIR.resolve("config.json"), without.resolve("config.json"));
        Map<String, NdArray> arrays = new LinkedHashMap<>(SafeTensors.readArrays(ClipReference.DIR.resolve("model.safetensors")));
        assertThat(arrays).containsKeys(ClipWeights.BUFFERS.toArray(String[]::new));
        arrays.keySet().removeAll(ClipWeights.BUFFERS);
        SafeTensors.writeArrays(without.resolve("model.safetensors"), arrays, null);
        assertThat(ClipModel.load(without, CpuBackend.INSTANCE, DType.FLOAT32).parameterCount()).isEqualTo(ClipModel.load(ClipReference.DIR,
                CpuBackend.INSTANCE, DType.FLOAT32).parameterCount());
    }

    @Test
    void aConfigForAnotherArchitectureNamesEveryMisShapedKey() throws Exception {
        Path dir = folderWith(a -> {});
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")).replace("\"projection_dim\": 32", "\"projection_dim\": 16"));
        assertThatThrownBy(() -> ClipModel.load(dir, CpuBackend.INSTANCE, DType.FLOAT32))
                .hasMessage(dir.resolve("model.safetensors") + ": key visual_projection.weight has shape [32, 48] in the file but [16, 48] in the model;"
                        + " key text_projection.weight has shape [32, 64] in the file but [16, 64] in the model");
    }

    @Test
    void aFolderWithoutWeightsOrConfigSaysWhichFile() throws Exception {
        Files.copy(ClipReference.DIR.resolve("config.json"), tmp.resolve("config.json"));
        assertThatThrownBy(() -> ClipModel.load(tmp, CpuBackend.INSTANCE, DType.FLOAT32))
                .hasMessage(tmp + ": no model.safetensors or pytorch_model.bin in this CLIP folder");
        assertThatThrownBy(() -> ClipModel.load(tmp.resolve("elsewhere"), CpuBackend.INSTANCE, DType.FLOAT32))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void pytorchModelBinIsReadWithTheCheckpointReader() throws Exception {
        Files.copy(ClipReference.DIR.resolve("config.json"), tmp.resolve("config.json"));
        Files.copy(Path.of("src/test/resources/io/sd_zip.pt"), tmp.resolve("pytorch_model.bin"));  // a torch.save state_dict of other keys
        assertThatThrownBy(() -> ClipModel.load(tmp, CpuBackend.INSTANCE, DType.FLOAT32))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(tmp.resolve("pytorch_model.bin") + ": missing keys: logit_scale, text_model.embeddings.token_embedding.weight, ");
    }

    private static final Path OPENAI = ClipReference.DIR.resolve("openai.pt");

    @Test
    void openAisOwnFileGivesTheHuggingFaceFoldersWeights() throws Exception {
        ClipModel hf = ClipModel.load(ClipReference.DIR, CpuBackend.INSTANCE, DType.FLOAT64);
        // the fixture's towers have 16-wide heads, which OpenAI's shape reading (64-wide heads) cannot see: the
        // architecture comes from the folder's config here, the weights from OpenAI's file
        ClipModel model = new ClipModel(hf.config(), CpuBackend.INSTANCE, DType.FLOAT64);
        StateDicts.load(model, ClipWeights.fromOpenAi(TorchCheckpoint.readWeights(OPENAI), hf.config(), OPENAI), OPENAI, true);
        Map<String, Tensor> expected = hf.namedParameters();
        model.namedParameters().forEach((k, p) -> assertThat(p.toDoubleArray()).as(k).containsExactly(expected.get(k).toDoubleArray()));
        new ClipReference().assertFloat64(model);
        assertThatThrownBy(() -> ClipModel.load(OPENAI, CpuBackend.INSTANCE, DType.FLOAT32)).isInstanceOf(FormatException.class)
                .hasMessage(OPENAI + ": the image width 48 does not split into OpenAI's 64-wide attention heads");
    }

    @Test
    void openAisKeysAtFaultAreNamedUnderOpenAisNames() throws Exception {
        ClipConfig config = ClipConfig.read(ClipReference.DIR.resolve("config.json"));
        Map<String, Tensor> sd = new LinkedHashMap<>(TorchCheckpoint.readWeights(OPENAI));
        sd.remove("transformer.resblocks.1.ln_2.bias");
        sd.put("visual.attnpool.c_proj.weight", Tensor.zeros(DType.FLOAT32, 1));
        sd.put("input_resolution", Tensor.zeros(DType.INT64));          // what OpenAI's files hold besides the weights
        sd.put("context_length", Tensor.zeros(DType.INT64));
        assertThatThrownBy(() -> ClipWeights.fromOpenAi(sd, config, OPENAI)).isInstanceOf(FormatException.class)
                .hasMessage(OPENAI + ": missing keys: transformer.resblocks.1.ln_2.bias; unexpected keys: visual.attnpool.c_proj.weight");
    }

    /** A stand-in for a weight of that shape (a broadcast view: no memory). */
    private static Tensor shaped(int... shape) { return Tensor.zeros(DType.FLOAT32, ones(shape.length)).expand(shape); }

    private static int[] ones(int n) {
        int[] r = new int[n];
        java.util.Arrays.fill(r, 1);
        return r;
    }

    /** The keys OpenAI's build_model reads the architecture from, with OpenAI's shapes for these sizes. */
    private static Map<String, Tensor> openAiShapes(int width, int layers, int visionWidth, int visionLayers, int patch, int grid, int embed) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("token_embedding.weight", shaped(49408, width));
        sd.put("positional_embedding", shaped(77, width));
        sd.put("ln_final.weight", shaped(width));
        sd.put("text_projection", shaped(width, embed));
        sd.put("visual.proj", shaped(visionWidth, embed));
        sd.put("visual.conv1.weight", shaped(visionWidth, 3, patch, patch));
        sd.put("visual.positional_embedding", shaped(grid * grid + 1, visionWidth));
        for (int i = 0; i < layers; i++) sd.put("transformer.resblocks." + i + ".attn.in_proj_weight", shaped(3 * width, width));
        for (int i = 0; i < visionLayers; i++) sd.put("visual.transformer.resblocks." + i + ".attn.in_proj_weight", shaped(3 * visionWidth, visionWidth));
        return sd;
    }

    @Test
    void openAisArchitectureIsReadFromTheShapesAsBuildModelReadsIt() throws Exception {
        ClipConfig b32 = ClipWeights.openAiConfig(openAiShapes(512, 12, 768, 12, 32, 7, 512), OPENAI);
        assertThat(b32).isEqualTo(ClipConfig.read(ClipReference.DIR.resolve("configs/vit-b-32.json")));
        ClipConfig b16 = ClipWeights.openAiConfig(openAiShapes(512, 12, 768, 12, 16, 14, 512), OPENAI);
        assertThat(b16).isEqualTo(ClipConfig.read(ClipReference.DIR.resolve("configs/vit-b-16.json")));
        ClipConfig l14 = ClipWeights.openAiConfig(openAiShapes(768, 12, 1024, 24, 14, 16, 768), OPENAI);
        ClipConfig hub = ClipConfig.read(ClipReference.DIR.resolve("configs/vit-l-14.json"));
        assertThat(l14.vision()).isEqualTo(hub.vision());
        assertThat(l14.projectionDim()).isEqualTo(768);
        assertThat(l14.text()).isEqualTo(new ClipConfig.Text(49408, 768, 3072, 12, 12, 77, 1e-5, ClipConfig.LEGACY_EOS_TOKEN_ID));
        Map<String, Tensor> resnet = openAiShapes(512, 12, 768, 12, 32, 7, 1024);
        resnet.remove("visual.proj");
        resnet.put("visual.attnpool.c_proj.weight", shaped(1024, 2048));
        assertThatThrownBy(() -> ClipWeights.openAiConfig(resnet, OPENAI))
                .hasMessage(OPENAI + ": not an OpenAI CLIP ViT: no 'visual.proj' (a ResNet CLIP, which is not supported)");
    }
}
