package trdetr.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import trdetr.io.FormatException;
import trdetr.io.NdArray;
import trdetr.io.Npy;
import trdetr.io.Npz;

/**
 * Reads one feature array from an .npz member or an .npy file as a float32 {@link FloatMatrix}. Accepted: float16,
 * float32 and float64 (cast as {@code astype(np.float32)}), C or Fortran order, 2-D (L, D) — or (1, L, D), whose leading axis is
 * dropped (the official audio dataset does this for text features saved with a batch axis). Everything else, a
 * missing file or key, or an array without rows, is a one-line {@link FormatException} naming the file and the
 * record that needed it.
 */
final class FeatureFiles {
    private FeatureFiles() {}

    /** An array and whether it came with a leading singleton axis. */
    record Loaded(FloatMatrix matrix, boolean hadBatchAxis) {}

    static Loaded npzMember(Path file, String key, Annotation a, String what) {
        Map<String, NdArray> arrays = read(file, Npz::read, a, what);
        NdArray arr = arrays.get(key);
        if (arr == null) {
            throw new FormatException(file, "has no array '" + key + "' (it has " + String.join(", ", arrays.keySet()) + "), needed as "
                    + what + " of " + a.describe());
        }
        return toMatrix(file, key, arr, a, what);
    }

    static Loaded npy(Path file, Annotation a, String what) {
        return toMatrix(file, null, read(file, Npy::read, a, what), a, what);
    }

    /** How a feature file is read: {@code Npz::read} or {@code Npy::read}. */
    private interface Reader<T> {
        T read(Path file) throws IOException;
    }

    /** The file read by {@code reader}; a missing or unreadable file becomes a one-line error naming the record. */
    private static <T> T read(Path file, Reader<T> reader, Annotation a, String what) {
        try {
            return reader.read(file);
        } catch (NoSuchFileException e) {
            throw missing(file, a, what);
        } catch (FormatException e) {
            throw new FormatException(file, strip(e, file) + " (" + what + " of " + a.describe() + ")", e);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e + " (" + what + " of " + a.describe() + ")", e);
        }
    }

    static FormatException missing(Path file, Annotation a, String what) {
        return new FormatException(file, what + " file not found for " + a.describe() + " (" + a.source() + " line " + a.line() + ")");
    }

    static boolean exists(Path file) { return Files.isRegularFile(file); }

    private static Loaded toMatrix(Path file, String key, NdArray arr, Annotation a, String what) {
        String name = key == null ? "the array" : "'" + key + "'";
        String ctx = " (" + what + " of " + a.describe() + ")";
        int[] s = arr.shape();
        boolean batchAxis = false;
        int rows;
        int cols;
        if (s.length == 2) {
            rows = s[0];
            cols = s[1];
        } else if (s.length == 3 && s[0] == 1) {
            rows = s[1];
            cols = s[2];
            batchAxis = true;
        } else {
            throw new FormatException(file, name + " has shape " + java.util.Arrays.toString(s) + ", expected (length, dim)" + ctx);
        }
        if (rows == 0 || cols == 0) throw new FormatException(file, name + " is empty, shape " + java.util.Arrays.toString(s) + ctx);
        float[] data = switch (arr.dtype()) {
            case "float16", "float32" -> (float[]) arr.data(); // float16 was widened exactly by the reader
            case "float64" -> {
                double[] d = (double[]) arr.data();
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) f[i] = (float) d[i]; // round to nearest even, as astype(float32)
                yield f;
            }
            default -> throw new FormatException(file, name + " has dtype " + arr.dtype() + "; features must be float16, float32 or float64" + ctx);
        };
        return new Loaded(new FloatMatrix(rows, cols, data), batchAxis);
    }

    /** Features holding NaN or ±Inf: a {@link FormatException} of its own so that a dataset can skip such records on request. */
    static final class NonFiniteException extends FormatException {
        NonFiniteException(Path file, String message) { super(file, message); }
    }

    /**
     * Returns {@code m} if every value is finite, else throws naming the file, the array and the position of the first
     * NaN or ±Inf (in the array's own coordinates, a leading batch axis included). Why: the official loader passes
     * such values on and its training turns NaN, which a user learns of only after the fact (our ReLU once
     * mapped NaN to 0, so a NaN row even trained on with a finite loss: issue #20, item 6). One pass
     * over values already in memory, made once per file load (the cache keeps the checked matrix), not per batch.
     */
    static FloatMatrix requireFinite(FloatMatrix m, boolean batchAxis, Path file, String key, Annotation a, String what) {
        float[] d = m.data();
        for (int i = 0; i < d.length; i++) {
            if (Float.isFinite(d[i])) continue;
            String value = Float.isNaN(d[i]) ? "NaN" : d[i] > 0 ? "Inf" : "-Inf";
            String at = (batchAxis ? "[0, " : "[") + i / m.cols() + ", " + i % m.cols() + "]";
            throw new NonFiniteException(file, (key == null ? "the array" : "member '" + key + "'") + " has " + value + " at " + at
                    + " (" + what + " of " + a.describe() + ")");
        }
        return m;
    }

    /** A FormatException's message without its leading "FILE: ". */
    private static String strip(FormatException e, Path file) {
        String m = e.getMessage();
        String prefix = file + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
