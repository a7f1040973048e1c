package trdetr.io;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** NumPy's .npz: a zip of NAME.npy members, stored (np.savez) or deflated (np.savez_compressed). */
public final class Npz {
    private Npz() {}

    /** Reads every member, in the archive's order, keyed by name without ".npy". */
    public static Map<String, NdArray> read(Path file) throws IOException {
        long fileSize = Files.size(file);
        Map<String, NdArray> out = new LinkedHashMap<>();
        try (ZipFile zip = openZip(file)) {
            for (ZipEntry e : entries(zip, file)) {
                String name = e.getName();
                if (e.isDirectory() || !name.endsWith(".npy")) {
                    throw new FormatException(file, "member " + FormatException.quote(name) + " is not an .npy array");
                }
                String key = name.substring(0, name.length() - 4);
                if (out.containsKey(key)) throw new FormatException(file, "member " + FormatException.quote(name) + " appears twice");
                if (e.getCompressedSize() > fileSize) {
                    throw new FormatException(file, key + ": compressed size " + e.getCompressedSize() + " is larger than the file");
                }
                long available = e.getMethod() == ZipEntry.STORED ? e.getSize() : -1;
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(key, Npy.read(file, in, key, available));
                } catch (ZipException | EOFException ex) {
                    throw new FormatException(file, key + ": corrupt zip member (" + ex.getMessage() + ")", ex);
                }
            }
        }
        return out;
    }

    static ZipFile openZip(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new java.nio.file.NoSuchFileException(file.toString());
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException | EOFException e) {
            throw new FormatException(file, "not a zip archive, or truncated (" + e.getMessage() + ")", e);
        }
    }

    /** The member names of an archive in its order (a malformed name is a FormatException). */
    static List<ZipEntry> entries(ZipFile zip, Path file) {
        List<ZipEntry> out = new ArrayList<>();
        try {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) out.add(en.nextElement());
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "malformed zip member name (" + e.getMessage() + ")", e);
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
