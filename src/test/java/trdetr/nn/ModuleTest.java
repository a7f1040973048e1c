package trdetr.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import trdetr.tensor.DType;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

class ModuleTest {
    /** A small module tree named like a PyTorch one. */
    static final class Block extends Module {
        final Linear proj;
        final LayerNorm norm;
        final PReLU activation;

        Block(Generator g) {
            proj = child("proj", new Linear(4, 3, true, g, DType.FLOAT32));
            norm = child("norm", new LayerNorm(3, 1e-5, DType.FLOAT32));
            activation = child("activation", new PReLU(DType.FLOAT32));
        }
    }

    static final class Net extends Module {
        final Tensor scale;

        Net(Generator g) {
            scale = parameter("scale", Tensor.ones(DType.FLOAT32, 1));
            child("layers", new Module() {
                { child("0", new Block(g)); child("1", new Block(g)); }
            });
        }
    }

    @Test
    void parametersHaveStateDictNamesInPyTorchOrder() {
        Net net = new Net(new Generator(1));
        assertThat(net.namedParameters().keySet()).containsExactly(
                "scale",
                "layers.0.proj.weight", "layers.0.proj.bias", "layers.0.norm.weight", "layers.0.norm.bias", "layers.0.activation.weight",
                "layers.1.proj.weight", "layers.1.proj.bias", "layers.1.norm.weight", "layers.1.norm.bias", "layers.1.activation.weight");
        assertThat(net.parameterCount()).isEqualTo(1 + 2 * (12 + 3 + 3 + 3 + 1));
        assertThat(net.parameters()).allMatch(Tensor::requiresGrad);
        net.eval();
        assertThat(((Block) net.children().get("layers").children().get("1")).isTraining()).isFalse();
    }

    @Test
    void linearInitialisationIsBoundedByOneOverSqrtFanIn() {
        Linear l = new Linear(100, 50, true, new Generator(2), DType.FLOAT32);
        for (float w : l.weight.toFloatArray()) assertThat(Math.abs(w)).isLessThanOrEqualTo(0.1f);
        assertThat(l.weight.shape()).containsExactly(50, 100);
    }

    @Test
    void gruFollowsTorchGateOrderRZN() {
        Generator g = new Generator(4);
        GRU gru = new GRU(2, 3, g, DType.FLOAT64);
        Tensor x = Tensor.randn(g, DType.FLOAT64, 1, 2, 2);
        Tensor[] out = gru.forward(x, null);
        // Hand-written recurrence on plain arrays.
        double[] wi = gru.weightIh.toDoubleArray(), wh = gru.weightHh.toDoubleArray(), bi = gru.biasIh.toDoubleArray(), bh = gru.biasHh.toDoubleArray();
        double[] xs = x.toDoubleArray(), h = new double[3];
        for (int t = 0; t < 2; t++) {
            double[] next = new double[3];
            for (int j = 0; j < 3; j++) {
                double[] gi = new double[3], gh = new double[3];
                for (int gate = 0; gate < 3; gate++) {
                    int row = gate * 3 + j;
                    gi[gate] = bi[row] + wi[row * 2] * xs[t * 2] + wi[row * 2 + 1] * xs[t * 2 + 1];
                    gh[gate] = bh[row];
                    for (int k = 0; k < 3; k++) gh[gate] += wh[row * 3 + k] * h[k];
                }
                double r = 1 / (1 + Math.exp(-(gi[0] + gh[0]))), z = 1 / (1 + Math.exp(-(gi[1] + gh[1])));
                double n = Math.tanh(gi[2] + r * gh[2]);
                next[j] = (1 - z) * n + z * h[j];
            }
            h = next;
        }
        assertThat(out[1].toDoubleArray()).containsExactly(h, within(1e-14));
        assertThat(out[0].shape()).containsExactly(1, 2, 3);
        assertThat(gru.namedParameters().keySet()).containsExactly("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0");
    }
}
