package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import trdetr.backend.BinaryOp;

/** The Vector API rows give the same bits as the scalar float loop, for every layout they take, tails included. */
class VectorBinaryTest {
    @ParameterizedTest
    @CsvSource({"ADD,1,1,37", "SUB,1,0,37", "MUL,0,1,37", "DIV,1,1,64", "DIV,0,1,5", "MUL,1,0,1", "ADD,1,1,0"})
    void sameBitsAsTheScalarLoop(BinaryOp op, int stepX, int stepY, int n) {
        assumeTrue(VectorApi.AVAILABLE, "jdk.incubator.vector is not in the boot layer");
        Random r = new Random(n * 31L + op.ordinal());
        float[] x = new float[n + 9], y = new float[n + 9];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
            y[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
        }
        int[] offsets = {2, 3, 5}, steps = {1, stepX, stepY};
        float[] vector = new float[n + 2], scalar = new float[n + 2];
        assertThat(VectorBinary.tryRow(op, vector, x, y, offsets, steps, n)).isTrue();
        for (int i = 0; i < n; i++) {
            float a = x[3 + i * stepX], b = y[5 + i * stepY];
            scalar[2 + i] = switch (op) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> a / b;
                default -> throw new AssertionError(op);
            };
        }
        for (int i = 0; i < vector.length; i++) {
            assertThat(Float.floatToRawIntBits(vector[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(scalar[i]));
        }
    }

    @ParameterizedTest
    @CsvSource({"ADD,2,1,1", "ADD,1,1,3", "MAXIMUM,1,1,1", "MUL,1,0,0"})
    void declinesOtherLayoutsAndOps(BinaryOp op, int stepZ, int stepX, int stepY) {
        assumeTrue(VectorApi.AVAILABLE, "jdk.incubator.vector is not in the boot layer");
        float[] z = new float[40];
        assertThat(VectorBinary.tryRow(op, z, new float[40], new float[40], new int[3], new int[] {stepZ, stepX, stepY}, 8)).isFalse();
    }
}
