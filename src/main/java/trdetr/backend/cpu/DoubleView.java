package trdetr.backend.cpu;

import trdetr.tensor.Tensor;

/**
 * A tensor's host array read and written as doubles, its dtype chosen once, when the view is made, rather than for
 * every element: for the kernels whose arithmetic runs in double whatever the storage (the softmax backward, layer
 * norm, reductions, cumsum, argsort, comparisons, converting copies). Values convert as Java's casts do: float32 and
 * int64 to double, booleans to 1 and 0; back by (float), (long) and {@code != 0}. The float kernels only ever make the
 * two float views, so their call sites stay bimorphic and the JIT inlines the access.
 */
abstract class DoubleView {
    private DoubleView() {}

    static DoubleView of(Tensor t) {
        Object a = CpuTensors.array(t);
        switch (t.dtype()) {
            case FLOAT32: return new F32((float[]) a);
            case FLOAT64: return new F64((double[]) a);
            case INT64: return new I64((long[]) a);
            default: return new Bool((boolean[]) a);
        }
    }

    abstract double get(int i);

    abstract void set(int i, double v);

    /** buf[j] = element off + j·step, j &lt; n. */
    void read(int off, int step, int n, double[] buf) { for (int j = 0; j < n; j++) buf[j] = get(off + j * step); }

    /** A row: n elements from off, stride 1. */
    final void read(int off, int n, double[] buf) { read(off, 1, n, buf); }

    /** Element off + j = buf[j], j &lt; n. */
    void write(int off, int n, double[] buf) { for (int j = 0; j < n; j++) set(off + j, buf[j]); }

    private static final class F32 extends DoubleView {
        private final float[] a;

        F32(float[] a) { this.a = a; }

        @Override double get(int i) { return a[i]; }

        @Override void set(int i, double v) { a[i] = (float) v; }

        @Override void read(int off, int step, int n, double[] buf) {
            if (step == 1) for (int j = 0; j < n; j++) buf[j] = a[off + j];
            else for (int j = 0; j < n; j++) buf[j] = a[off + j * step];
        }

        @Override void write(int off, int n, double[] buf) { for (int j = 0; j < n; j++) a[off + j] = (float) buf[j]; }
    }

    private static final class F64 extends DoubleView {
        private final double[] a;

        F64(double[] a) { this.a = a; }

        @Override double get(int i) { return a[i]; }

        @Override void set(int i, double v) { a[i] = v; }

        @Override void read(int off, int step, int n, double[] buf) {
            if (step == 1) System.arraycopy(a, off, buf, 0, n);
            else for (int j = 0; j < n; j++) buf[j] = a[off + j * step];
        }

        @Override void write(int off, int n, double[] buf) { System.arraycopy(buf, 0, a, off, n); }
    }

    private static final class I64 extends DoubleView {
        private final long[] a;

        I64(long[] a) { this.a = a; }

        @Override double get(int i) { return a[i]; }

        @Override void set(int i, double v) { a[i] = (long) v; }
    }

    private static final class Bool extends DoubleView {
        private final boolean[] a;

        Bool(boolean[] a) { this.a = a; }

        @Override double get(int i) { return a[i] ? 1.0 : 0.0; }

        @Override void set(int i, double v) { a[i] = v != 0; }
    }
}
