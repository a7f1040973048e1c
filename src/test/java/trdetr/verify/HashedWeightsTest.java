package trdetr.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The hashed weights must be the exporter's bit for bit: values printed by tools/export_reference.py's hashed_values. */
class HashedWeightsTest {
    @Test
    void theSameValuesAsTheExporter() {
        String name = "transformer.encoder.layers.0.linear1.weight";
        assertThat(HashedWeights.fnv1a64(name)).isEqualTo(0xf0a759acfa02f4fcL);
        float[] v = HashedWeights.values(14, name, new int[] {5}, 0.0625).toFloatArray();
        assertThat(v).containsExactly(0.018118277192115784f, 0.02512533962726593f, -0.025696411728858948f,
                -0.05540449917316437f, 0.024793878197669983f);
    }

    @Test
    void valuesStayWithinTheBoundAndTheBoundIsAPowerOfTwo() {
        float[] v = HashedWeights.values(3, "w", new int[] {64, 64}, 0.125).toFloatArray();
        for (float x : v) assertThat(x).isBetween(-0.125f, 0.125f);
        assertThatThrownBy(() -> HashedWeights.values(3, "w", new int[] {2}, 0.1)).hasMessageContaining("power of two");
    }
}
