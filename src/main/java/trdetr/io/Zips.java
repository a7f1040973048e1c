package trdetr.io;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reading the members of a zip archive (.npz, the torch.save layout) with their integrity checked.
 *
 * <p>{@link ZipFile#getInputStream} checks neither the CRC-32 nor the length of a member (only inflating catches
 * some damage, and a stored member none), so a flipped byte would load as data. Every member we read therefore goes
 * through {@link #read}, which checks both against the central directory once the member has been consumed.
 */
final class Zips {
    private Zips() {}

    /** Reads one member's content from a stream that ends with the member. */
    interface MemberReader<T> {
        T read(InputStream in) throws IOException;
    }

    static ZipFile open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString());
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException | EOFException e) {
            throw new FormatException(file, "not a zip archive, or truncated (" + e.getMessage() + ")", e);
        }
    }

    /** The members of an archive in its order (a malformed name is a FormatException). */
    static List<ZipEntry> entries(ZipFile zip, Path file) {
        List<ZipEntry> out = new ArrayList<>();
        try {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) out.add(en.nextElement());
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "malformed zip member name (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /**
     * Reads a member with {@code reader}, then reads whatever the reader left (a reader may stop at the end of its
     * document) and checks the member's length and CRC-32. When the reader itself refuses a member that turns out
     * to be damaged, the damage is what is reported (the reader's complaint is attached as suppressed): a flipped
     * byte is corruption, not a malformed header.
     */
    static <T> T read(ZipFile zip, ZipEntry e, Path file, MemberReader<T> reader) throws IOException {
        String what = "member " + FormatException.quote(e.getName());
        if (e.getCompressedSize() > Files.size(file)) {
            throw new FormatException(file, what + ": compressed size " + e.getCompressedSize() + " is larger than the file (the file is corrupt)");
        }
        try (Checked in = new Checked(zip.getInputStream(e))) {
            T value;
            try {
                value = reader.read(in);
            } catch (FormatException refused) {
                FormatException damage = in.damage(e, file, what);
                if (damage == null) throw refused;
                damage.addSuppressed(refused);
                throw damage;
            }
            FormatException damage = in.damage(e, file, what);
            if (damage != null) throw damage;
            return value;
        } catch (ZipException | EOFException ex) {
            throw new FormatException(file, what + ": corrupt (" + ex.getMessage() + ")", ex);
        }
    }

    /** A member's stream that counts and checksums what passes through it. */
    private static final class Checked extends FilterInputStream {
        private final CRC32 crc = new CRC32();
        private long count;

        Checked(InputStream in) { super(in); }

        @Override public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                crc.update(b);
                count++;
            }
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                crc.update(b, off, n);
                count += n;
            }
            return n;
        }

        /** Skipping must still checksum the bytes skipped. */
        @Override public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 8192)];
            long done = 0;
            for (int r; done < n && (r = read(buf, 0, (int) Math.min(buf.length, n - done))) > 0; ) done += r;
            return done;
        }

        @Override public boolean markSupported() { return false; }

        /**
         * Reads the rest of the member (stopping once it is longer than declared) and returns what is wrong with it,
         * or null when its length and CRC-32 are those of the central directory.
         */
        FormatException damage(ZipEntry e, Path file, String what) throws IOException {
            byte[] buf = new byte[8192];
            while (count <= e.getSize() && read(buf, 0, buf.length) >= 0) {
                // draining: only the count and checksum matter
            }
            if (count != e.getSize()) {
                String holds = count > e.getSize() ? "more than " + e.getSize() : String.valueOf(count);
                return new FormatException(file, what + ": holds " + holds + " bytes, the central directory says " + e.getSize()
                        + " (the file is corrupt)");
            }
            if (crc.getValue() != e.getCrc()) return new FormatException(file, what + ": CRC-32 mismatch (the file is corrupt)");
            return null;
        }
    }
}
