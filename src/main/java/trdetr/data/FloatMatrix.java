package trdetr.data;

import java.util.Arrays;
import java.util.List;
import trdetr.pyexact.NumpyReductions;

/**
 * A row-major float32 matrix on the host: one feature row per clip or token. The data pipeline works on these
 * (NumPy's role in the official loader) and turns them into tensors only when a batch is collated.
 *
 * @param rows number of rows (clips, tokens)
 * @param cols number of columns (feature width)
 * @param data rows·cols values, row after row; never modified after construction by this package
 */
public record FloatMatrix(int rows, int cols, float[] data) {
    public FloatMatrix {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("FloatMatrix: negative shape " + rows + "x" + cols);
        if (data.length != (long) rows * cols) {
            throw new IllegalArgumentException("FloatMatrix: " + rows + "x" + cols + " needs " + (long) rows * cols + " values, got " + data.length);
        }
    }

    public static FloatMatrix zeros(int rows, int cols) { return new FloatMatrix(rows, cols, new float[rows * cols]); }

    public float get(int r, int c) { return data[r * cols + c]; }

    /** Approximate heap footprint, for the feature cache's budget. */
    public long bytes() { return 16L + 4L * data.length; }

    /** The first n rows (all rows when n ≥ rows), as Python's {@code a[:n]}; shares nothing. */
    public FloatMatrix firstRows(int n) {
        int keep = Math.min(Math.max(n, 0), rows);
        if (keep == rows) return this;
        return new FloatMatrix(keep, cols, Arrays.copyOf(data, keep * cols));
    }

    /**
     * Each row divided by (its L2 norm + eps), in float32 exactly as NumPy computes
     * {@code x / (np.linalg.norm(x, axis=-1, keepdims=True) + eps)} on a float32 array: the squares are rounded to
     * float32 and summed with NumPy's pairwise summation (so the result is bit-identical, not just close), the square
     * root is correctly rounded, and eps is added in float32. Note the eps is added to the norm, not clamped
     * (torch's F.normalize, used by the losses, clamps instead).
     */
    public FloatMatrix l2NormalizeRows(float eps) {
        float[] out = new float[data.length];
        float[] sq = new float[cols];
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            for (int c = 0; c < cols; c++) {
                float v = data[off + c];
                sq[c] = v * v;
            }
            // np.add.reduce starts from the identity 0 and adds the pairwise sum of the row.
            float norm = (float) Math.sqrt(NumpyReductions.sum(sq, 0, cols));
            float denom = norm + eps;
            for (int c = 0; c < cols; c++) out[off + c] = data[off + c] / denom;
        }
        return new FloatMatrix(rows, cols, out);
    }

    /** Column-wise concatenation of matrices with the same row count ({@code np.concatenate(axis=1)}). */
    public static FloatMatrix hconcat(List<FloatMatrix> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("hconcat: nothing to concatenate");
        int rows = parts.get(0).rows;
        int cols = 0;
        for (FloatMatrix p : parts) {
            if (p.rows != rows) throw new IllegalArgumentException("hconcat: row counts differ (" + rows + " vs " + p.rows + ")");
            cols += p.cols;
        }
        float[] out = new float[rows * cols];
        int at = 0;
        for (FloatMatrix p : parts) {
            for (int r = 0; r < rows; r++) System.arraycopy(p.data, r * p.cols, out, r * cols + at, p.cols);
            at += p.cols;
        }
        return new FloatMatrix(rows, cols, out);
    }

    /** A copy with the given rows set to zero (the official txt_drop augmentation). */
    public FloatMatrix withZeroRows(int[] rowIndices) {
        float[] out = data.clone();
        for (int r : rowIndices) Arrays.fill(out, r * cols, (r + 1) * cols, 0f);
        return new FloatMatrix(rows, cols, out);
    }

    @Override public boolean equals(Object o) {
        return o instanceof FloatMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
    }

    @Override public int hashCode() { return 31 * (31 * rows + cols) + Arrays.hashCode(data); }

    @Override public String toString() { return "FloatMatrix(" + rows + "x" + cols + ")"; }
}
