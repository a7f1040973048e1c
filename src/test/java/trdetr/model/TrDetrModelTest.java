package trdetr.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import trdetr.loss.Targets;
import trdetr.loss.TrDetrCriterion;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

class TrDetrModelTest {
    @Test
    void theReleasedConfigurationHasTheOfficialParameterSet() {
        TrDetr model = new TrDetr(TrDetrConfig.released(), new Generator(1), DType.FLOAT32);
        Map<String, Tensor> p = model.namedParameters();
        assertThat(model.parameterCount()).isEqualTo(8_308_773L); // spec §3.1
        assertThat(p.get("input_vid_proj.0.net.1.weight").shape()).containsExactly(256, 2818);
        assertThat(p.get("fuser.cq_attention.cqa_linear.conv1d.weight").shape()).containsExactly(256, 1024, 1);
        assertThat(p.get("fuser.cq_attention.w4mlu").shape()).containsExactly(1, 1, 256);
        assertThat(p).containsKey("transformer.decoder.layers.0.ca_qpos_proj.weight")
                .doesNotContainKey("transformer.decoder.layers.1.ca_qpos_proj.weight")
                .containsKey("gru_extractor.gru.weight_hh_l0")
                .containsKey("txt_position_embed.position_embeddings.weight");
        assertThat(p.keySet().iterator().next()).isEqualTo("transformer.t2v_encoder.layers.0.self_attn.in_proj_weight");
        // bbox_embed's last weight is xavier-initialised (not zero), its bias zero (spec §3.3)
        assertThat(p.get("transformer.decoder.bbox_embed.layers.2.weight").abs().sum().item()).isGreaterThan(0.0);
        assertThat(p.get("transformer.decoder.bbox_embed.layers.2.bias").abs().sum().item()).isEqualTo(0.0);
        TrDetrConfig audio = new TrDetrConfig(256, 8, 2, 2, 1024, 10, 2818, 512, 2050, 2, 2, 75, 32, 0.1, 0.5, true, false,
                10, 1, 4, 10, 1, 4, 1, 0.2, 0.3, 0.5, java.util.Set.of());
        assertThat(new TrDetr(audio, new Generator(1), DType.FLOAT32).parameterCount()).isEqualTo(8_837_673L);
    }

    /** A small model on 10-wide video and 6-wide text features: one encoder layer, the decoder layers and queries given. */
    private static TrDetrConfig small(int decLayers, int queries) {
        return new TrDetrConfig(256, 8, 1, decLayers, 64, queries, 10, 6, 0, 2, 2, 75, 32, 0.1, 0.5, true, false,
                10, 1, 4, 10, 1, 4, 1, 0.2, 0.3, 0.5, java.util.Set.of());
    }

    @Test
    void forwardLossAndBackwardRunOnAPaddedBatch() {
        TrDetrConfig c = small(2, 5);
        Generator g = new Generator(2);
        TrDetr model = new TrDetr(c, g, DType.FLOAT32);
        int b = 3, lv = 7, lt = 4;
        Tensor vid = Tensor.randn(g, DType.FLOAT32, b, lv, 10), txt = Tensor.randn(g, DType.FLOAT32, b, lt, 6);
        Tensor vmask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0}, b, lv);
        Tensor tmask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0}, b, lt);
        TrDetrOutput out = model.forward(txt, tmask, vid, vmask, null);
        assertThat(out.predLogits().shape()).containsExactly(b, 5, 2);
        assertThat(out.predSpans().shape()).containsExactly(b, 5, 2);
        assertThat(out.saliency().shape()).containsExactly(b, lv);
        assertThat(out.aux()).hasSize(1);
        Targets targets = new Targets(
                List.of(Tensor.of(new float[] {0.3f, 0.2f, 0.7f, 0.1f}, 2, 2), Tensor.of(new float[] {0.5f, 0.4f}, 1, 2), Tensor.of(new float[] {0.2f, 0.2f}, 1, 2)),
                Tensor.ofLongs(new long[] {1, 2, 0, 1, 3, 4}, b, 2), Tensor.ofLongs(new long[] {5, 6, 2, 3, 0, 1}, b, 2),
                Tensor.of(new float[] {0, 4, 8, 0, 0, 0, 0, 12, 3, 0, 0, 0, 0, 0, 0, 0, 0, 6, 7, 0, 0}, b, lv),
                Tensor.of(new float[] {0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0}, b, lv));
        TrDetrCriterion.Result loss = new TrDetrCriterion(c).compute(out, targets, tmask);
        assertThat(loss.terms().keySet()).contains("loss_span", "loss_giou", "loss_label", "class_error", "loss_saliency",
                "loss_span_0", "loss_giou_0", "loss_label_0", "class_error_0", "ctc", "vtc");
        assertThat(Double.isFinite(loss.total().item())).isTrue();
        loss.total().backward();
        Map<String, Tensor> p = model.namedParameters();
        assertThat(p.get("input_vid_proj.0.net.1.weight").grad()).isNotNull();
        assertThat(p.get("gru_extractor.gru.weight_ih_l0").grad()).isNotNull();
        assertThat(p.get("query_embed.weight").grad()).isNotNull();
        assertThat(p.get("txt_position_embed.position_embeddings.weight").grad()).isNull(); // unused (use_txt_pos off)
    }

    /**
     * A NaN in the features reaches the outputs, as in the official code: nothing on the way replaces it (ReLU once
     * turned NaN into 0, so a corrupt feature file trained to a finite loss without a word).
     */
    @Test
    void aNaNFeatureReachesTheOutputsAsInTorch() {
        TrDetrConfig c = small(1, 3);
        Generator g = new Generator(3);
        TrDetr model = new TrDetr(c, g, DType.FLOAT32);
        model.eval();
        int b = 2, lv = 5, lt = 3;
        float[] v = Tensor.randn(g, DType.FLOAT32, b, lv, 10).toFloatArray();
        v[3] = Float.NaN;                                           // one value of sample 0's first clip
        TrDetrOutput out = model.forward(Tensor.randn(g, DType.FLOAT32, b, lt, 6), Tensor.ones(DType.FLOAT32, b, lt),
                Tensor.of(v, b, lv, 10), Tensor.ones(DType.FLOAT32, b, lv), null);
        float[] saliency = out.saliency().toFloatArray();
        assertThat(Float.isNaN(saliency[0])).as("sample 0's saliency of the NaN clip").isTrue();
    }

    /** Spec §8 Q1: officially a sample's output depends on the other samples of its batch; with the fix it does not. */
    @Test
    void t2vMaskMixUpIsReproducedAndCanBeFixed() {
        for (boolean fixed : new boolean[] {false, true}) {
            TrDetrConfig c = new TrDetrConfig(256, 8, 1, 1, 32, 3, 5, 4, 0, 2, 2, 75, 32, 0.1, 0.5, true, false,
                    10, 1, 4, 10, 1, 4, 1, 0.2, 0.3, 0.5, fixed ? java.util.Set.of(Fix.T2V_MASK) : java.util.Set.of());
            Generator g = new Generator(5);
            TrDetr model = new TrDetr(c, g, DType.FLOAT32);
            model.eval();
            int lv = 4, lt = 3;
            Tensor vid = Tensor.randn(g, DType.FLOAT32, 2, lv, 5), txt = Tensor.randn(g, DType.FLOAT32, 2, lt, 4);
            // sample 0 is full length; sample 1 has padded clips and padded tokens
            Tensor vmask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0}, 2, lv), tmask = Tensor.of(new float[] {1, 1, 1, 1, 0, 0}, 2, lt);
            float[] together = model.forward(txt, tmask, vid, vmask, null).predSpans().select(0, 0).toFloatArray();
            float[] alone = model.forward(txt.slice(0, 0, 1), tmask.slice(0, 0, 1), vid.slice(0, 0, 1), vmask.slice(0, 0, 1), null)
                    .predSpans().select(0, 0).toFloatArray();
            double diff = trdetr.opcheck.GradCheck.relativeError(toDouble(together), toDouble(alone));
            if (fixed) assertThat(diff).isLessThan(1e-6);
            else assertThat(diff).isGreaterThan(1e-6);
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /**
     * An eval forward pass without autograd overwrites its own temporaries (nn.InPlace: residual sums, PReLU, the
     * query scaling) and keeps no attention weights; with autograd on it does neither. Both give the same bits.
     */
    @Test
    void anUnrecordedEvalForwardIsTheRecordedOneBitForBit() {
        Generator g = new Generator(3);
        TrDetr model = new TrDetr(small(2, 5), g, DType.FLOAT32);
        model.train(false);
        int b = 3, lv = 7, lt = 4;
        Tensor vid = Tensor.randn(g, DType.FLOAT32, b, lv, 10), txt = Tensor.randn(g, DType.FLOAT32, b, lt, 6);
        Tensor vmask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0}, b, lv);
        Tensor tmask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0}, b, lt);
        TrDetrOutput recorded = model.forward(txt, tmask, vid, vmask, null);
        assertThat(recorded.saliency().requiresGrad()).isTrue();
        TrDetrOutput unrecorded;
        try (trdetr.autograd.GradMode.Scope ignored = trdetr.autograd.GradMode.noGrad()) {
            unrecorded = model.forward(txt, tmask, vid, vmask, null);
        }
        for (Tensor[] pair : new Tensor[][] {{unrecorded.predLogits(), recorded.predLogits()}, {unrecorded.predSpans(), recorded.predSpans()},
                                             {unrecorded.saliency(), recorded.saliency()}, {unrecorded.memory(), recorded.memory()}}) {
            float[] u = pair[0].toFloatArray(), r = pair[1].toFloatArray();
            assertThat(u.length).isEqualTo(r.length);
            for (int i = 0; i < r.length; i++) assertThat(Float.floatToRawIntBits(u[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(r[i]));
        }
    }
}
