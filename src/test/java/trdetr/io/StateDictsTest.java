package trdetr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import trdetr.nn.Module;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

class StateDictsTest {
    @TempDir Path tmp;

    /** proj.weight [2, 3], proj.bias [2], scale [1] (float64). */
    static final class Tiny extends Module {
        Tiny() {
            child("proj", new Module() {
                {
                    parameter("weight", Tensor.zeros(DType.FLOAT32, 2, 3));
                    parameter("bias", Tensor.zeros(DType.FLOAT32, 2));
                }
            });
            parameter("scale", Tensor.zeros(DType.FLOAT64, 1));
        }
    }

    private static Map<String, Tensor> weights() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("proj.weight", Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2).transpose(0, 1)); // float64, a view
        sd.put("proj.bias", Tensor.of(new float[] {-1, 1}, 2));
        sd.put("scale", Tensor.of(new float[] {0.5f}, 1));
        return sd;
    }

    @Test
    void loadsMatchingWeightsKeepingDtypesAndLeaves() {
        Tiny m = new Tiny();
        Tensor w = m.namedParameters().get("proj.weight");
        StateDicts.LoadReport r = StateDicts.load(m, weights(), Path.of("w.pt"), true);
        assertThat(r.loaded()).containsExactly("scale", "proj.weight", "proj.bias");
        assertThat(r.missing()).isEmpty();
        assertThat(r.unexpected()).isEmpty();
        Map<String, Tensor> p = m.namedParameters();
        assertThat(p.get("proj.weight")).isSameAs(w);
        assertThat(w.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(w.isLeaf()).isTrue();
        assertThat(w.requiresGrad()).isTrue();
        assertThat(w.toFloatArray()).containsExactly(1, 3, 5, 2, 4, 6);
        assertThat(p.get("proj.bias").toFloatArray()).containsExactly(-1, 1);
        assertThat(p.get("scale").dtype()).isEqualTo(DType.FLOAT64);
        assertThat(p.get("scale").toDoubleArray()).containsExactly(0.5);
        // a backward pass through loaded parameters still works
        w.mul(2.0).sum().backward();
        assertThat(w.grad().toFloatArray()).containsOnly(2f);
    }

    @Test
    void shapeMismatchNamesTheKeyAndChangesNothing() {
        Tiny m = new Tiny();
        Map<String, Tensor> sd = weights();
        sd.put("proj.bias", Tensor.of(new float[] {1, 2, 3}, 3));
        assertThatThrownBy(() -> StateDicts.load(m, sd, Path.of("w.pt"), true)).isInstanceOf(FormatException.class)
                .hasMessage("w.pt: key proj.bias has shape [3] in the file but [2] in the model");
        assertThat(m.namedParameters().get("proj.weight").toFloatArray()).containsOnly(0f);
    }

    @Test
    void strictListsAllMissingAndUnexpectedKeys() {
        Tiny m = new Tiny();
        Map<String, Tensor> sd = weights();
        sd.remove("scale");
        sd.remove("proj.bias");
        sd.put("head.weight", Tensor.zeros(DType.FLOAT32, 1));
        assertThatThrownBy(() -> StateDicts.load(m, sd, Path.of("w.pt"), true)).isInstanceOf(FormatException.class)
                .hasMessage("w.pt: missing keys: scale, proj.bias; unexpected keys: head.weight");
    }

    @Test
    void nonStrictLoadsTheIntersectionAndReports() {
        Tiny m = new Tiny();
        Map<String, Tensor> sd = weights();
        sd.remove("scale");
        sd.put("head.weight", Tensor.zeros(DType.FLOAT32, 1));
        StateDicts.LoadReport r = StateDicts.load(m, sd, Path.of("w.pt"), false);
        assertThat(r.loaded()).containsExactly("proj.weight", "proj.bias");
        assertThat(r.missing()).containsExactly("scale");
        assertThat(r.unexpected()).containsExactly("head.weight");
        assertThat(m.namedParameters().get("proj.bias").toFloatArray()).containsExactly(-1, 1);
    }

    @Test
    void saveAndLoadThroughSafeTensors() throws IOException {
        Tiny a = new Tiny();
        StateDicts.load(a, weights(), null, true);
        Path f = tmp.resolve("tiny.safetensors");
        SafeTensors.write(f, StateDicts.of(a), Map.of("format", "pt"));
        Tiny b = new Tiny();
        StateDicts.load(b, SafeTensors.read(f), f, true);
        assertThat(b.namedParameters().get("proj.weight").toFloatArray()).containsExactly(1, 3, 5, 2, 4, 6);
        assertThat(StateDicts.of(b).get("proj.weight").requiresGrad()).isFalse();
    }

    @Test
    void loadsATorchCheckpoint() throws IOException {
        Module m = new Module() {
            {
                child("0", new Module() {
                    { parameter("weight", Tensor.zeros(DType.FLOAT32, 2, 3)); parameter("bias", Tensor.zeros(DType.FLOAT32, 2)); }
                });
                child("1", new Module() {
                    { parameter("weight", Tensor.zeros(DType.FLOAT32, 2)); parameter("bias", Tensor.zeros(DType.FLOAT32, 2)); }
                });
            }
        };
        Path f = Fixtures.file("ckpt_zip.pth");
        TorchCheckpoint.Checkpoint ck = TorchCheckpoint.read(f);
        StateDicts.load(m, ck.stateDict(), f, true);
        assertThat(m.namedParameters().get("1.weight").toFloatArray()).containsExactly(ck.stateDict().get("1.weight").toFloatArray());
    }
}
