package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import trdetr.backend.UnaryOp;
import trdetr.tensor.Generator;
import trdetr.tensor.Tensor;

/** Every float32 unary loop (the dedicated ones too) gives exactly (float) UnaryOp.apply(x), element by element. */
class UnaryLoopsTest {
    @Test
    void everyOpRoundsItsDefinitionOnce() {
        Generator g = new Generator(11);
        int n = 70_007;                                   // above the parallel threshold, odd: 7 × 10,001
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (3 * g.nextGaussian());
        x[0] = 0f;
        x[1] = -0f;
        // Contiguous (the unit-stride loops) and transposed (the strided loops).
        Tensor flat = Tensor.fromHost(CpuBackend.INSTANCE, x, n);
        Tensor transposed = flat.reshape(7, 10_001).transpose(0, 1);
        for (Tensor t : new Tensor[] {flat, transposed}) check(t, transposed == t ? transposedOrder(x, 7, 10_001) : x);
    }

    private static float[] transposedOrder(float[] x, int rows, int cols) {
        float[] out = new float[x.length];
        for (int c = 0, k = 0; c < cols; c++) for (int r = 0; r < rows; r++) out[k++] = x[r * cols + c];
        return out;
    }

    private static void check(Tensor t, float[] x) {
        int n = x.length;
        // Parameters that are exactly a float (0.25) and that are not (0.1).
        for (double slope : new double[] {0.25, 0.1}) for (UnaryOp op : UnaryOp.values()) {
            double p0 = op == UnaryOp.CLAMP ? -0.5 : op == UnaryOp.POW ? 2.0 : slope, p1 = op == UnaryOp.CLAMP ? 0.75 : -1.5;
            float[] y = (float[]) CpuBackend.INSTANCE.download(CpuBackend.INSTANCE.unary(op, t, p0, p1));
            for (int i = 0; i < n; i++) {
                float expected = (float) op.apply(x[i], p0, p1);
                if (Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits(expected) && !(Float.isNaN(y[i]) && Float.isNaN(expected))) {
                    assertThat(y[i]).as(op + " at x = " + x[i]).isEqualTo(expected);
                }
            }
        }
    }
}
