package trdetr.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import trdetr.backend.Backend;
import trdetr.backend.BinaryOp;
import trdetr.backend.ReduceOp;
import trdetr.backend.UnaryOp;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The CPU kernels split large tensors over {@link Parallel}'s threads; the split must never change a bit. Every
 * kernel runs on the same random inputs with one thread and with several, and the outputs must be identical bit
 * for bit. The inputs are above {@link Parallel#MIN_PARALLEL_WORK} and strided (transposed and broadcast views),
 * with sizes that are not multiples of anything, so chunk edges fall inside rows; a kernel that summed part of a
 * reduction on another thread, skipped or repeated an element at a chunk edge, or raced on a buffer would differ.
 */
class ParallelKernelsTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;
    /** 67·129·9 = 77,787 elements: above the parallel threshold, rows of 9 (and of 67 when transposed). */
    private static final int[] SHAPE = {67, 129, 9};

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void everyKernelIsBitIdenticalOnOneAndSeveralThreads(DType dtype) {
        assertThat((long) SHAPE[0] * SHAPE[1] * SHAPE[2]).isGreaterThan(2 * Parallel.MIN_PARALLEL_WORK);
        Parallel.setThreads(1);
        Map<String, Object> serial = runAll(dtype);
        for (int threads : new int[] {2, 3, 5}) {
            Parallel.setThreads(threads);
            Map<String, Object> parallel = runAll(dtype);
            assertThat(parallel.keySet()).containsExactlyElementsOf(serial.keySet());
            for (String kernel : serial.keySet()) {
                assertThat(Arrays.deepEquals(new Object[] {serial.get(kernel)}, new Object[] {parallel.get(kernel)}))
                        .as("%s (%s) on %d threads vs 1", kernel, dtype, threads).isTrue();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 8, 1000, 77_787})
    void forRangeCoversEveryIndexExactlyOnce(int n) {
        Parallel.setThreads(3);
        int[] hits = new int[n];
        Parallel.forRange(n, Parallel.MIN_PARALLEL_WORK, (from, to) -> {
            for (int i = from; i < to; i++) hits[i]++;
        });
        int[] ones = new int[n];
        Arrays.fill(ones, 1);
        assertThat(hits).containsExactly(ones);
    }

    /** Every kernel on fixed random inputs; the results by name, as host arrays. */
    private static Map<String, Object> runAll(DType dtype) {
        Map<String, Object> out = new LinkedHashMap<>();
        Tensor a = random(dtype, 1, SHAPE), b = random(dtype, 2, SHAPE);
        Tensor aT = a.transpose(0, 2); // (9, 129, 67), strided
        Tensor bT = b.transpose(0, 2);
        Tensor row = random(dtype, 3, 1, SHAPE[1], SHAPE[2]).expand(SHAPE); // broadcast over the first axis

        out.put("unary exp strided", CPU.unary(UnaryOp.EXP, aT, 0, 0));
        out.put("unary clamp", CPU.unary(UnaryOp.CLAMP, a, -0.5, 0.5));
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM}) {
            out.put("binary " + op, CPU.binary(op, a, b));
            out.put("binary " + op + " broadcast", CPU.binary(op, a, row));
            out.put("binary " + op + " strided", CPU.binary(op, aT, bT));
        }
        Tensor cond = CPU.binary(BinaryOp.LT, a, row);
        out.put("compare", cond);
        out.put("where", CPU.where(cond, aT.transpose(0, 2), row));
        Tensor packed = Tensor.zeros(CPU, dtype, aT.shape());
        CPU.copy(packed, aT);
        out.put("copy strided", packed);
        Tensor widened = Tensor.zeros(CPU, dtype == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32, SHAPE);
        CPU.copy(widened, a);
        out.put("copy converting", widened);
        Tensor filled = Tensor.zeros(CPU, dtype, SHAPE);
        CPU.fill(filled, 0.25);
        CPU.scaleInPlace(filled.transpose(0, 1), 3.0);
        out.put("fill, scale", filled);
        for (ReduceOp op : ReduceOp.values()) {
            for (int axis = 0; axis < SHAPE.length; axis++) out.put("reduce " + op + " axis " + axis, CPU.reduce(op, a, axis));
        }
        Tensor rows = a.reshape(SHAPE[0] * SHAPE[1] / 3, 3 * SHAPE[2]); // rows of 27
        for (boolean log : new boolean[] {false, true}) {
            Tensor y = CPU.softmax(rows, log);
            out.put("softmax log=" + log, y);
            out.put("softmax backward log=" + log, CPU.softmaxBackward(y, b.reshape(rows.shape()), log));
        }
        Tensor gamma = random(dtype, 4, rows.size(1)), beta = random(dtype, 5, rows.size(1));
        Backend.LayerNormResult ln = CPU.layerNorm(rows, gamma, beta, 1e-5);
        out.put("layer norm y", ln.y());
        out.put("layer norm mean", ln.mean());
        out.put("layer norm rstd", ln.rstd());
        Backend.LayerNormGrads lnb = CPU.layerNormBackward(b.reshape(rows.shape()), rows, gamma, ln.mean(), ln.rstd());
        out.put("layer norm backward dx", lnb.dx());
        out.put("layer norm backward dgamma", lnb.dgamma());
        out.put("layer norm backward dbeta", lnb.dbeta());
        out.put("dropout", CPU.dropout(aT, 0.3, 77, 1234));
        out.put("gather", CPU.gather(a, 1, indices(SHAPE[0], SHAPE[1], SHAPE[2])));
        out.put("scatter add", CPU.scatterAdd(SHAPE, 1, indices(SHAPE[0], SHAPE[1], SHAPE[2]), b));
        for (int axis = 0; axis < SHAPE.length; axis++) out.put("cumsum axis " + axis, CPU.cumsum(a, axis, axis == 1));
        out.put("argsort", CPU.argsort(rows, true));
        Tensor p = random(dtype, 6, SHAPE), m = random(dtype, 7, SHAPE), v = CPU.unary(UnaryOp.ABS, random(dtype, 8, SHAPE), 0, 0);
        CPU.adamWStep(p, b, m, v, 1e-3, 0.9, 0.999, 1e-8, 1e-4, 3);
        out.put("adamw param", p);
        out.put("adamw exp_avg", m);
        out.put("adamw exp_avg_sq", v);
        out.replaceAll((k, t) -> CPU.download((Tensor) t));
        return out;
    }

    private static Tensor random(DType dtype, long seed, int... shape) {
        Random r = new Random(seed);
        double[] v = new double[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        Tensor t = Tensor.fromHost(CPU, v, shape);
        if (dtype == DType.FLOAT64) return t;
        Tensor f = Tensor.zeros(CPU, dtype, shape);
        CPU.copy(f, t);
        return f;
    }

    /** Indices along axis 1 of a (d0, d1, d2) tensor, with repeats (so scatter-add sums several sources). */
    private static Tensor indices(int d0, int d1, int d2) {
        Random r = new Random(9);
        long[] idx = new long[d0 * d1 * d2];
        for (int i = 0; i < idx.length; i++) idx[i] = r.nextInt(d1);
        return Tensor.fromHost(CPU, idx, d0, d1, d2);
    }
}
