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
        float[] v = HashedWeights.values(14, name, new int[] {5}, 0.0625, 23).toFloatArray();
        assertThat(v).containsExactly(0.018118277192115784f, 0.02512533962726593f, -0.025696411728858948f,
                -0.05540449917316437f, 0.024793878197669983f);
        // --hash-bits 4: the same values rounded to multiples of bound/8
        assertThat(HashedWeights.values(14, name, new int[] {5}, 0.0625, 4).toFloatArray())
                .containsExactly(0.015625f, 0.0234375f, -0.0234375f, -0.0546875f, 0.0234375f);
    }

    @Test
    void valuesStayWithinTheBoundAndTheBoundIsAPowerOfTwo() {
        float[] v = HashedWeights.values(3, "w", new int[] {64, 64}, 0.125, 23).toFloatArray();
        for (float x : v) assertThat(x).isBetween(-0.125f, 0.125f);
        assertThatThrownBy(() -> HashedWeights.values(3, "w", new int[] {2}, 0.1, 23)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> HashedWeights.values(3, "w", new int[] {2}, 0.125, 24)).hasMessageContaining("24 bits");
    }

    /** Rounded hashes (--hash-bits 4) take the 17 multiples of bound/8 in [−bound, bound], with mean ≈ 0. */
    @Test
    void roundedValuesAreSymmetricAboutZero() {
        float[] v = HashedWeights.values(3, "w", new int[] {100_000}, 1.0, 4).toFloatArray();
        java.util.Set<Float> levels = new java.util.TreeSet<>();
        double sum = 0;
        for (float x : v) {
            levels.add(x == 0 ? 0f : x);                               // −0.0 and 0.0 are one level
            sum += x;
        }
        assertThat(levels).hasSize(17).contains(-1f, 1f, 0.875f, -0.125f);
        assertThat(Math.abs(sum / v.length)).isLessThan(0.01);          // 5 standard errors; top bits alone: −1/16
    }
}
