package trdetr.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/** Shared helpers: bounded reads, element decoding, float16/bfloat16 conversion (writes: {@link DurableFiles}). */
final class IoSupport {
    private IoSupport() {}

    /** The largest byte[] the JVM reliably allocates. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 16;
    private static final int FIRST_CHUNK = 1 << 20;

    /**
     * Reads exactly n bytes. The buffer grows with the data actually read (at most twice what arrived), so a length
     * field that lies costs no more memory than the bytes behind it.
     */
    static byte[] readExactly(InputStream in, long n, Path file, String what) throws IOException {
        if (n < 0) throw new FormatException(file, what + ": negative length " + n);
        if (n > MAX_ARRAY) throw new FormatException(file, what + ": " + n + " bytes is more than one array can hold");
        int len = (int) n;
        byte[] buf = new byte[Math.min(len, FIRST_CHUNK)];
        int filled = 0;
        while (filled < len) {
            if (filled == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(len, 2L * buf.length));
            int r = in.read(buf, filled, buf.length - filled);
            if (r < 0) throw new FormatException(file, what + ": truncated: expected " + len + " bytes, found " + filled);
            filled += r;
        }
        return buf;
    }

    // ------------------------------------------------------------------ element types

    /** Element kinds as stored in files, with their byte width and NumPy type code. */
    enum Elem {
        F16(2, "float16", "f2"), BF16(2, "float32", null), F32(4, "float32", "f4"), F64(8, "float64", "f8"),
        I8(1, "int8", "i1"), U8(1, "uint8", "u1"), I16(2, "int16", "i2"), I32(4, "int32", "i4"), I64(8, "int64", "i8"),
        BOOL(1, "bool", "b1");

        final int size;
        /** The NdArray dtype the elements decode to. */
        final String dtype;
        /**
         * NumPy's type code without the byte-order character, as .npy headers and pickled dtypes spell it; null for
         * bfloat16, which NumPy lacks.
         */
        final String numpyCode;

        Elem(int size, String dtype, String numpyCode) {
            this.size = size;
            this.dtype = dtype;
            this.numpyCode = numpyCode;
        }

        /** The element an NdArray dtype is stored as (its NumPy type; never bfloat16, which decodes to float32). */
        static Elem ofDtype(String dtype) {
            for (Elem e : values()) if (e.numpyCode != null && e.dtype.equals(dtype)) return e;
            throw new IllegalArgumentException("unknown dtype '" + dtype + "'");
        }

        /**
         * The element of a NumPy type code without its byte-order character ("f4", "i8", "b1" or its alias "?"); null
         * for a code we do not read.
         */
        static Elem ofNumpyCode(String code) {
            if (code.equals("?")) return BOOL;
            for (Elem e : values()) if (code.equals(e.numpyCode)) return e;
            return null;
        }

        /** The .npy descr of these elements written little-endian, as NumPy writes it: "<f4", and "|u1" for one byte. */
        String npyDescr() {
            return (size == 1 ? "|" : "<") + numpyCode;
        }
    }

    /**
     * Decodes n elements starting at byte offset off into the host array of their NdArray dtype (float[], double[],
     * long[] or boolean[]); any non-zero bool byte is true, as NumPy reads it.
     */
    static Object decode(byte[] bytes, int off, int n, Elem e, ByteOrder order) {
        ByteBuffer b = ByteBuffer.wrap(bytes, off, n * e.size).order(order);
        switch (e) {
            case F16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = Half.toFloat(b.getShort());
                return v;
            }
            case BF16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                return v;
            }
            case F32 -> {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                return v;
            }
            case F64 -> {
                double[] v = new double[n];
                b.asDoubleBuffer().get(v);
                return v;
            }
            case I8 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = b.get();
                return v;
            }
            case U8 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = b.get() & 0xff;
                return v;
            }
            case I16 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = b.getShort();
                return v;
            }
            case I32 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = b.getInt();
                return v;
            }
            case I64 -> {
                long[] v = new long[n];
                b.asLongBuffer().get(v);
                return v;
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) v[i] = b.get() != 0;
                return v;
            }
            default -> throw new AssertionError(e);
        }
    }

    /** Encodes an NdArray's elements in its dtype's width (integers must fit). */
    static byte[] encode(NdArray a, Elem e, ByteOrder order) {
        int n = a.numel();
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(n, e.size)).order(order);
        switch (e) {
            case F16 -> { for (float x : (float[]) a.data()) b.putShort(Half.fromFloat(x)); }
            case F32 -> b.asFloatBuffer().put((float[]) a.data());
            case F64 -> b.asDoubleBuffer().put((double[]) a.data());
            case I64 -> b.asLongBuffer().put((long[]) a.data());
            case I8, U8, I16, I32 -> {
                long lo = e == Elem.U8 ? 0 : -(1L << (8 * e.size - 1));
                long hi = e == Elem.U8 ? 255 : (1L << (8 * e.size - 1)) - 1;
                for (long x : (long[]) a.data()) {
                    if (x < lo || x > hi) throw new IllegalArgumentException("value " + x + " does not fit in " + a.dtype());
                    switch (e) {
                        case I8, U8 -> b.put((byte) x);
                        case I16 -> b.putShort((short) x);
                        default -> b.putInt((int) x);
                    }
                }
            }
            case BOOL -> { for (boolean x : (boolean[]) a.data()) b.put((byte) (x ? 1 : 0)); }
            default -> throw new IllegalArgumentException("cannot encode " + e);
        }
        return b.array();
    }
}
