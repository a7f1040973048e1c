package trdetr.backend.cpu;

import trdetr.backend.BinaryOp;

/**
 * Float32 add, subtract, multiply and divide over one row of {@link StridedLoop} in the layouts that dominate a
 * training step: every operand unit-stride (same-shape tensors, a bias row), or one input a scalar broadcast along
 * the row (stride 0: a padding mask or a per-row scale). The generic loop steps by variables, which the JIT does not
 * vectorise; these loops index with constant unit strides and a fixed operator, which it does. The arithmetic is the
 * same float operation, so results are bit-identical.
 *
 * <p>Why plain loops and not the Vector API: {@code lanewise(op, ...)} is compiled to vector instructions only when
 * {@code op} is a constant at the call; passed as a variable it ran the API's scalar fallback, slower than no
 * vectorisation at all (seen in a JFR profile of the training step). {@code -Dtrdetr.elementwise=strided} turns the
 * fast rows off, for comparison (ElementwiseBench).
 */
final class UnitStrideBinary {
    private UnitStrideBinary() {}

    static final boolean ENABLED = !"strided".equalsIgnoreCase(System.getProperty("trdetr.elementwise", ""));

    /** Runs the row if its layout and op are covered; false (nothing written) otherwise. */
    static boolean tryRow(BinaryOp op, float[] z, float[] x, float[] y, int[] o, int[] s, int n) {
        if (!ENABLED || s[0] != 1) return false;
        int p = o[0], q = o[1], r = o[2];
        if (s[1] == 1 && s[2] == 1) {
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) z[p + i] = x[q + i] + y[r + i]; return true;
                case SUB: for (int i = 0; i < n; i++) z[p + i] = x[q + i] - y[r + i]; return true;
                case MUL: for (int i = 0; i < n; i++) z[p + i] = x[q + i] * y[r + i]; return true;
                case DIV: for (int i = 0; i < n; i++) z[p + i] = x[q + i] / y[r + i]; return true;
                default: return false;
            }
        }
        if (s[1] == 1 && s[2] == 0) {
            float c = y[r];
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) z[p + i] = x[q + i] + c; return true;
                case SUB: for (int i = 0; i < n; i++) z[p + i] = x[q + i] - c; return true;
                case MUL: for (int i = 0; i < n; i++) z[p + i] = x[q + i] * c; return true;
                case DIV: for (int i = 0; i < n; i++) z[p + i] = x[q + i] / c; return true;
                default: return false;
            }
        }
        if (s[1] == 0 && s[2] == 1) {
            float c = x[q];
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) z[p + i] = c + y[r + i]; return true;
                case SUB: for (int i = 0; i < n; i++) z[p + i] = c - y[r + i]; return true;
                case MUL: for (int i = 0; i < n; i++) z[p + i] = c * y[r + i]; return true;
                case DIV: for (int i = 0; i < n; i++) z[p + i] = c / y[r + i]; return true;
                default: return false;
            }
        }
        return false;
    }
}
