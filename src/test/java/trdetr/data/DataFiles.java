package trdetr.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import trdetr.io.NdArray;
import trdetr.io.Npy;
import trdetr.io.Npz;

/** Writes feature files in the official layouts for the data tests. */
final class DataFiles {
    private DataFiles() {}

    /** The synthetic value of tools/make_data_fixtures.py: file id k, row r, column c (a multiple of 1/4). */
    static double value(int k, int r, int c) {
        return Math.floorMod(r * 7 + c * 13 + k * 5, 17) / 4.0 - 2.0;
    }

    /** A (rows × cols) array of {@link #value} in the given dtype ("float16", "float32", "float64"). */
    static NdArray array(int k, int rows, int cols, String dtype) {
        if (dtype.equals("float64")) {
            double[] d = new double[rows * cols];
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) d[r * cols + c] = value(k, r, c);
            return new NdArray(dtype, new int[] {rows, cols}, d);
        }
        float[] f = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) f[r * cols + c] = (float) value(k, r, c);
        return new NdArray(dtype, new int[] {rows, cols}, f);
    }

    static void npz(Path file, String key, NdArray a) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, NdArray> m = new LinkedHashMap<>();
        m.put(key, a);
        Npz.write(file, m);
    }

    static void npy(Path file, NdArray a) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            Npy.write(out, a);
        }
    }

    /** A float32 matrix from explicit rows. */
    static NdArray rows(float[]... rows) {
        int cols = rows[0].length;
        float[] f = new float[rows.length * cols];
        for (int r = 0; r < rows.length; r++) System.arraycopy(rows[r], 0, f, r * cols, cols);
        return new NdArray("float32", new int[] {rows.length, cols}, f);
    }

    static Path jsonl(Path file, String... lines) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }
}
