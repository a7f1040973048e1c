package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import trdetr.model.TrDetr;
import trdetr.model.TrDetrConfig;
import trdetr.model.TrDetrOutput;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

class MemorySpreadTest {
    private static final int LV = 6, D = 16;

    /** Samples of LV clips (one per length): feature k of a valid clip from valid(k), every padding value from padding. */
    private static float[] memory(int[] lengths, java.util.function.IntFunction<Float> valid, Supplier<Float> padding) {
        float[] m = new float[lengths.length * LV * D];
        for (int b = 0; b < lengths.length; b++) {
            for (int t = 0; t < LV; t++) {
                for (int k = 0; k < D; k++) m[(b * LV + t) * D + k] = t < lengths[b] ? valid.apply(k) : padding.get();
            }
        }
        return m;
    }

    @Test
    void aConstantMemoryHasNoSpreadWhateverThePaddingHolds() {
        Generator g = new Generator(3);
        MemorySpread s = new MemorySpread();
        int[] lengths = {4, 2};
        s.add(memory(lengths, k -> 5f + k, () -> (float) g.nextGaussian()), LV, D, lengths);
        assertThat(s.value()).isEqualTo(0.0);
        assertThat(s.warning("after epoch 3")).startsWith("warning: after epoch 3 every clip").contains("memory spread 0");
    }

    @Test
    void independentGaussianClipsHaveASpreadNearOne() {
        Generator g = new Generator(4);
        MemorySpread s = new MemorySpread();
        int[] lengths = {LV, LV};
        for (int batch = 0; batch < 200; batch++) s.add(memory(lengths, k -> (float) g.nextGaussian(), () -> 0f), LV, D, lengths);
        assertThat(s.value()).isCloseTo(1.0, within(0.02));
        assertThat(s.warning("x")).isNull();
    }

    @Test
    void aSmallVariationOnALargeConstantIsMeasuredNotLostToRounding() {
        // the collapsed state seen in training: |mean| ~ 0.2 per feature, clip-to-clip deviation ~ 1e-5
        Generator g = new Generator(5);
        MemorySpread s = new MemorySpread();
        int[] lengths = {LV, LV};
        for (int batch = 0; batch < 50; batch++) s.add(memory(lengths, k -> 0.2f + 1e-5f * (float) g.nextGaussian(), () -> 0f), LV, D, lengths);
        assertThat(s.value()).isCloseTo(5e-5, within(1e-5));
    }

    @Test
    void nothingAddedIsNaNAndAWidthChangeIsRefused() {
        MemorySpread s = new MemorySpread();
        assertThat(s.value()).isNaN();
        assertThat(s.warning("x")).isNull();
        s.add(new float[LV * D], LV, D, new int[] {LV});
        assertThatThrownBy(() -> s.add(new float[LV * 8], LV, 8, new int[] {LV}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memory width changed from 16 to 8");
    }

    @Test
    void theModelOutputsTheMemoryTheDecoderReadsAndAFreshModelIsFarFromCollapse() {
        Generator g = new Generator(6);
        TrDetrConfig c = TrDetrConfig.fromOptions(Map.of("enc_layers", 1, "dec_layers", 2, "dim_feedforward", 32, "num_queries", 4,
                "v_feat_dim", 10, "t_feat_dim", 8));
        TrDetr model = new TrDetr(c, g, DType.FLOAT32);
        model.eval();
        int b = 2, lv = 7, lt = 5;
        TrDetrOutput out = model.forward(Tensor.randn(g, DType.FLOAT32, b, lt, 8), Tensor.ones(DType.FLOAT32, b, lt),
                Tensor.randn(g, DType.FLOAT32, b, lv, 10), Tensor.ones(DType.FLOAT32, b, lv), null);
        assertThat(out.memory().shape()).containsExactly(b, lv, c.hiddenDim());
        MemorySpread s = new MemorySpread();
        s.add(out.memory().toFloatArray(), lv, c.hiddenDim(), new int[] {lv, lv});
        assertThat(s.value()).isGreaterThan(0.3);
    }
}
