package trdetr.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import trdetr.backend.cpu.CpuBackend;
import trdetr.opcheck.GradCheck;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * Our CLIP encoders against OpenAI's CLIP code on the committed fixture (tools/make_clip_fixtures.py): float64 to
 * 1e-9 of OpenAI's float64 answer, float32 within 10 × OpenAI's own float32 error of that answer and 1e-5
 * (docs/exactness.md).
 */
class ClipModelTest {
    private static ClipReference ref;

    @BeforeAll
    static void readFixture() throws Exception { ref = new ClipReference(); }

    @Test
    void float64MatchesOpenAisFloat64Answer() throws Exception {
        ref.assertFloat64(ClipModel.load(ClipReference.DIR, CpuBackend.INSTANCE, DType.FLOAT64));
    }

    @Test
    void float32IsWithinOpenAisOwnFloat32Error() throws Exception {
        ref.assertFloat32(ClipModel.load(ClipReference.DIR, CpuBackend.INSTANCE, DType.FLOAT32));
    }

    @Test
    void eachQueryAloneUnpaddedGivesItsRowsOfTheBatch() throws Exception {
        ClipModel model = ClipModel.load(ClipReference.DIR, CpuBackend.INSTANCE, DType.FLOAT64);
        int[] eot = model.endOfText(ref.ids);
        assertThat(eot).containsExactly(6, 1, 13, 76, 21);
        ClipModel.TextFeatures batch = model.encodeTextFeatures(ref.ids);
        for (int b = 0; b < ref.ids.length; b++) {
            int[] row = Arrays.copyOf(ref.ids[b], eot[b] + 1);                 // SOT .. EOT, no padding: a shorter run
            ClipModel.TextFeatures alone = model.encodeTextFeatures(new int[][] {row});
            assertThat(alone.tokenStates().get(0).shape()).containsExactly(eot[b] + 1, 64);
            assertThat(GradCheck.relativeError(alone.tokenStates().get(0).toDoubleArray(), batch.tokenStates().get(b).toDoubleArray())).isLessThan(1e-13);
            assertThat(GradCheck.relativeError(alone.embeds().toDoubleArray(), batch.embeds().select(0, b).toDoubleArray())).isLessThan(1e-13);
        }
    }

    @Test
    void poolingAtTheFirstEndOfTextIdGivesTheSameAsOpenAisArgmax() throws Exception {
        ClipModel argmax = ClipModel.load(ClipReference.DIR, CpuBackend.INSTANCE, DType.FLOAT64);
        ClipConfig c = argmax.config();
        ClipConfig byId = new ClipConfig(new ClipConfig.Text(c.text().vocabSize(), c.text().hiddenSize(), c.text().intermediateSize(),
                c.text().layers(), c.text().heads(), c.text().maxPositions(), c.text().layerNormEps(), 999), c.vision(), c.projectionDim());
        ClipModel model = new ClipModel(byId, CpuBackend.INSTANCE, DType.FLOAT64);
        ClipWeights.load(model, ClipReference.DIR.resolve("model.safetensors"));
        assertThat(model.endOfText(ref.ids)).containsExactly(argmax.endOfText(ref.ids));
        assertThat(model.encodeText(ref.ids).toDoubleArray()).containsExactly(argmax.encodeText(ref.ids).toDoubleArray());
        // the rules part on a row without end-of-text (not from CLIP's tokenizer): OpenAI takes the highest id anyway
        assertThat(argmax.endOfText(new int[][] {{998, 5, 7}})).containsExactly(0);
        assertThatThrownBy(() -> model.endOfText(new int[][] {{998, 5, 7}})).hasMessage("token row 0 has no end-of-text token (id 999)");
    }

    @Test
    void badTokenRowsAreRefusedNamingTheRow() throws Exception {
        ClipModel model = ClipModel.load(ClipReference.DIR, CpuBackend.INSTANCE, DType.FLOAT32);
        assertThatThrownBy(() -> model.encodeText(new int[][] {{998, 999}, {}})).hasMessage("token row 1 is empty");
        assertThatThrownBy(() -> model.encodeText(new int[][] {{998, 1000, 999}}))
                .hasMessage("token row 0, position 1: id 1000 is outside the vocabulary (0..999)");
        assertThatThrownBy(() -> model.encodeText(new int[][] {new int[78]})).hasMessage("token row 0 has 78 ids, more than the context length 77");
        assertThatThrownBy(() -> model.encodeText(new int[0][])).hasMessage("no token rows given");
        assertThatThrownBy(() -> model.encodeImage(Tensor.zeros(DType.FLOAT32, 1, 3, 32, 31)))
                .hasMessage("encodeImage: pixels must be (N, 3, 32, 32), got [1, 3, 32, 31]");
    }

    @Test
    void theFullSizeVitB32HasOpenAisParameterCountAndShapes() throws Exception {
        ClipConfig c = ClipConfig.read(ClipReference.DIR.resolve("configs/vit-b-32.json"));
        ClipModel model = new ClipModel(c, CpuBackend.INSTANCE, DType.FLOAT32);
        // sum(p.numel() for p in clip.model.CLIP(512, 224, 12, 768, 32, 77, 49408, 512, 8, 12).parameters())
        assertThat(model.parameterCount()).isEqualTo(151_277_313L);
        assertThat(model.namedParameters().get("vision_model.embeddings.position_embedding.weight").shape()).containsExactly(50, 768);
        assertThat(model.namedParameters().get("text_model.encoder.layers.11.mlp.fc1.weight").shape()).containsExactly(2048, 512);
        List<Tensor> tokens = model.encodeTextTokens(new int[][] {{49406, 320, 1125, 49407, 0, 0}});
        assertThat(tokens.get(0).shape()).containsExactly(4, 512);
        assertThat(model.encodeImage(Tensor.zeros(DType.FLOAT32, 2, 3, 224, 224)).shape()).containsExactly(2, 512);
    }
}
