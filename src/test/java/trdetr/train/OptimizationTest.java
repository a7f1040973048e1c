package trdetr.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** Optimizer, clipping and schedule against numbers printed by PyTorch 1.13 for the same inputs. */
class OptimizationTest {
    @Test
    void adamWMatchesTorch() {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Tensor p = Tensor.of(new double[] {0.5, -1.0, 2.0, 0.0}, 4).to(dtype).requiresGrad(true);
            Tensor q = Tensor.of(new double[] {1, 2, 3, -4}, 2, 2).to(dtype).requiresGrad(true);
            Map<String, Tensor> params = new LinkedHashMap<>();
            params.put("p", p);
            params.put("q", q);
            AdamW opt = AdamW.of(params, 0.1, 0.01);
            double[][] gp = {{0.1, -0.2, 0.3, 0.0}, {0.5, 0.5, -0.5, 1.0}, {-0.1, 0.2, 0.0, 0.3}};
            double[][] gq = {{1, 0, 0, -1}, null, {0.2, 0.2, 0.2, 0.2}};
            for (int i = 0; i < 3; i++) {
                opt.zeroGrad();
                p.setGrad(Tensor.of(gp[i], 4).to(dtype));
                if (gq[i] != null) q.setGrad(Tensor.of(gq[i], 2, 2).to(dtype)); // step 2: q has no gradient but steps with zero
                opt.step();
            }
            double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-6;
            // torch.optim.AdamW([p, q], lr=0.1, weight_decay=0.01), zero_grad() as in torch 1.13 (zeroes, keeps)
            assertThat(p.toDoubleArray()).containsExactly(new double[] {0.25966935405471386, -0.9956745055929797, 1.9462250305092277, -0.14779766547337647}, within(tol));
            assertThat(q.toDoubleArray()).containsExactly(new double[] {0.7669359558106049, 1.9301246435896702, 2.92712764258967, -3.783025398571417}, within(tol));
            assertThat(opt.steps()).containsEntry("p", 3L).containsEntry("q", 3L);
        }
    }

    @Test
    void aParameterThatNeverHadAGradientIsLeftAlone() {
        Tensor p = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        AdamW opt = AdamW.of(Map.of("p", p), 0.1, 0.01);
        opt.step();
        assertThat(p.toDoubleArray()).containsExactly(1, 2);
        assertThat(opt.steps()).isEmpty();
    }

    @Test
    void clipGradNormMatchesTorch() {
        Tensor a = Tensor.of(new float[] {3, 4}, 2).requiresGrad(true), b = Tensor.of(new float[] {12}, 1).requiresGrad(true);
        a.setGrad(Tensor.of(new float[] {3, 4}, 2));
        b.setGrad(Tensor.of(new float[] {12}, 1));
        double norm = GradientClipping.clipGradNorm(List.of(a, b), 0.1);
        assertThat(norm).isCloseTo(13.0, within(1e-6));
        assertThat(a.grad().toDoubleArray()).containsExactly(new double[] {0.023076921701431274, 0.0307692289352417}, within(1e-8));
        assertThat(b.grad().toDoubleArray()).containsExactly(new double[] {0.0923076868057251}, within(1e-8));
        // under the bound: untouched
        a.setGrad(Tensor.of(new float[] {0.03f, 0.04f}, 2));
        GradientClipping.clipGradNorm(List.of(a), 0.1);
        assertThat(a.grad().toFloatArray()).containsExactly(0.03f, 0.04f);
    }

    @Test
    void stepLrDropsEveryStepSizeEpochs() {
        StepLR s = new StepLR(1e-4, 400, 0.1);
        assertThat(s.lrAt(0)).isEqualTo(1e-4);
        assertThat(s.lrAt(399)).isEqualTo(1e-4);
        assertThat(s.lrAt(400)).isCloseTo(1e-5, within(1e-20));
    }
}
