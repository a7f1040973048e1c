package trdetr.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** NumPy's .npz: a zip of NAME.npy members, stored (np.savez) or deflated (np.savez_compressed). */
public final class Npz {
    private Npz() {}

    /** Reads every member, in the archive's order, keyed by name without ".npy" (each member's CRC-32 is checked). */
    public static Map<String, NdArray> read(Path file) throws IOException {
        Map<String, NdArray> out = new LinkedHashMap<>();
        try (CheckedZip zip = CheckedZip.open(file)) {
            for (ZipEntry e : zip.entries()) {
                String name = e.getName();
                if (e.isDirectory() || !name.endsWith(".npy")) {
                    throw new FormatException(file, "member " + FormatException.quote(name) + " is not an .npy array");
                }
                String key = name.substring(0, name.length() - 4);
                if (out.containsKey(key)) throw new FormatException(file, "member " + FormatException.quote(name) + " appears twice");
                // The central directory's size bounds what the header may claim; CheckedZip.read checks that it is true.
                out.put(key, zip.read(e, in -> Npy.read(file, in, key, e.getSize())));
            }
        }
        return out;
    }

    /** Writes arrays as stored NAME.npy members, atomically (as np.savez). */
    public static void write(Path file, Map<String, NdArray> arrays) throws IOException {
        write(file, arrays, false);
    }

    /** Writes arrays as NAME.npy members, deflated when {@code compressed} (np.savez_compressed), atomically. */
    public static void write(Path file, Map<String, NdArray> arrays, boolean compressed) throws IOException {
        DurableFiles.write(file, raw -> {
            ZipOutputStream zip = new ZipOutputStream(raw);
            for (Map.Entry<String, NdArray> a : arrays.entrySet()) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                Npy.write(buf, a.getValue());
                byte[] bytes = buf.toByteArray();
                ZipEntry e = new ZipEntry(a.getKey() + ".npy");
                if (compressed) {
                    e.setMethod(ZipEntry.DEFLATED);
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(bytes.length);
                    e.setCompressedSize(bytes.length);
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                zip.write(bytes);
                zip.closeEntry();
            }
            zip.finish();
        });
    }
}
