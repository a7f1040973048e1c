package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import trdetr.backend.ReduceOp;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * Sums over a leading or middle axis (the blocked row-wise path) equal the definition bit for bit: each output
 * starts at 0 and adds its addends in axis order in double, then rounds once. Widths straddle the 64-column block.
 */
class SumOverAxisTest {
    @ParameterizedTest
    @CsvSource({"FLOAT32,1,2400,256", "FLOAT32,3,75,600", "FLOAT32,5,7,3", "FLOAT64,2,300,257", "FLOAT32,1,1,513"})
    void matchesTheSequentialDefinition(DType dtype, int outer, int n, int inner) {
        Random r = new Random(outer * 1000L + n + inner);
        double[] data = new double[outer * n * inner];
        for (int i = 0; i < data.length; i++) data[i] = r.nextGaussian() * Math.exp(3 * r.nextGaussian());
        Tensor x = Tensor.of(data, outer, n, inner).to(dtype);
        Tensor sum = CpuBackend.INSTANCE.reduce(ReduceOp.SUM, x, 1);
        assertThat(sum.shape()).containsExactly(outer, inner);
        double[] got = sum.to(DType.FLOAT64).toDoubleArray();
        double[] in = x.to(DType.FLOAT64).toDoubleArray();
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < inner; c++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += in[(o * n + j) * inner + c];
                double want = dtype == DType.FLOAT32 ? (float) s : s;
                assertThat(Double.doubleToRawLongBits(got[o * inner + c])).as("output (%d, %d)", o, c)
                        .isEqualTo(Double.doubleToRawLongBits(want));
            }
        }
    }
}
