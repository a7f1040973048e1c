package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import trdetr.backend.BinaryOp;

/** The unit-stride rows give the same bits as the generic strided loop, for every layout they take. */
class UnitStrideBinaryTest {
    @ParameterizedTest
    @CsvSource({"ADD,1,1,37", "SUB,1,0,37", "MUL,0,1,37", "DIV,1,1,64", "DIV,0,1,5", "MUL,1,0,1", "ADD,1,1,0"})
    void sameBitsAsTheStridedLoop(BinaryOp op, int stepX, int stepY, int n) {
        Random r = new Random(n * 31L + op.ordinal());
        float[] x = new float[n + 9], y = new float[n + 9];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
            y[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
        }
        float[] fast = new float[n + 2], generic = new float[n + 2];
        assertThat(UnitStrideBinary.tryRow(op, fast, x, y, new int[] {2, 3, 5}, new int[] {1, stepX, stepY}, n)).isTrue();
        for (int i = 0; i < n; i++) generic[2 + i] = (float) op.apply(x[3 + i * stepX], y[5 + i * stepY]);
        for (int i = 0; i < fast.length; i++) {
            assertThat(Float.floatToRawIntBits(fast[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(generic[i]));
        }
    }

    @ParameterizedTest
    @CsvSource({"ADD,2,1,1", "ADD,1,1,3", "MAXIMUM,1,1,1", "MUL,1,0,0"})
    void declinesOtherLayoutsAndOps(BinaryOp op, int stepZ, int stepX, int stepY) {
        float[] z = new float[40];
        assertThat(UnitStrideBinary.tryRow(op, z, new float[40], new float[40], new int[3], new int[] {stepZ, stepX, stepY}, 8)).isFalse();
    }
}
