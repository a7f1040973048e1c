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
import trdetr.tensor.DType;

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
}
