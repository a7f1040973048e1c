package trdetr.io;

import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A zip archive (.npz, the torch.save layout) whose members are read with their integrity checked.
 *
 * <p>{@link ZipFile#getInputStream} checks neither the CRC-32 nor the length of a member (only inflating catches
 * some damage, and a stored member none), so a flipped byte would load as data; and it takes a member's name from the
 * central directory alone, so a flipped byte there would rename a member silently. Every member we read therefore
 * goes through {@link #read}, which checks its length and CRC-32 against the central directory once the member has
 * been consumed, and its name against the one its local header repeats.
 */
final class CheckedZip implements Closeable {
    /** Reads one member's content from a stream that ends with the member. */
    interface MemberReader<T> {
        T read(InputStream in) throws IOException;
    }

    private final Path file;
    private final ZipFile zip;
    private final FileChannel channel;
    /** Each member's local header offset, by name (ZipFile keeps these to itself). */
    private final Map<String, Long> localHeaders;

    private CheckedZip(Path file, ZipFile zip, FileChannel channel) throws IOException {
        this.file = file;
        this.zip = zip;
        this.channel = channel;
        this.localHeaders = localHeaderOffsets();
    }

    static CheckedZip open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString());
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | EOFException e) {
            throw new FormatException(file, "not a zip archive, or truncated (" + e.getMessage() + ")", e);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            return new CheckedZip(file, zip, channel);
        } catch (IOException | RuntimeException e) {
            zip.close();
            if (channel != null) channel.close();
            throw e;
        }
    }

    @Override public void close() throws IOException {
        try (zip; channel) {
            // both closed, in reverse order
        }
    }

    /** The members in the archive's order (a malformed name is a FormatException). */
    List<ZipEntry> entries() {
        List<ZipEntry> out = new ArrayList<>();
        try {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) out.add(en.nextElement());
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "malformed zip member name (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /** The member of that name, or null. */
    ZipEntry entry(String name) {
        return zip.getEntry(name);
    }

    /**
     * Reads a member with {@code reader}, then reads whatever the reader left (a reader may stop at the end of its
     * document) and checks the member's length and CRC-32. When the reader itself refuses a member that turns out
     * to be damaged, the damage is what is reported (the reader's complaint is attached as suppressed): a flipped
     * byte is corruption, not a malformed header.
     */
    <T> T read(ZipEntry e, MemberReader<T> reader) throws IOException {
        String what = "member " + FormatException.quote(e.getName());
        if (e.getCompressedSize() > channel.size()) {
            throw new FormatException(file, what + ": compressed size " + e.getCompressedSize() + " is larger than the file (the file is corrupt)");
        }
        checkLocalName(e, what);
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

    // ------------------------------------------------------------------ names: central directory against local headers

    private static final int LOC_SIG = 0x04034b50, CEN_SIG = 0x02014b50, END_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50, ZIP64_END_SIG = 0x06064b50;
    private static final long MASK32 = 0xffffffffL;

    private void checkLocalName(ZipEntry e, String what) throws IOException {
        Long at = localHeaders.get(e.getName());
        ByteBuffer loc = at == null ? null : bytes(at, 30);
        if (loc == null || loc.getInt(0) != LOC_SIG) throw new FormatException(file, what + ": no local header where the central directory puts it (the file is corrupt)");
        ByteBuffer name = bytes(at + 30, loc.getShort(26) & 0xffff);
        String local = name == null ? null : new String(name.array(), StandardCharsets.UTF_8);
        if (!e.getName().equals(local)) {
            throw new FormatException(file, what + ": its local header names it " + FormatException.quote(local)
                    + ", the central directory " + FormatException.quote(e.getName()) + " (the file is corrupt)");
        }
    }

    /**
     * Each member's local header offset, by name, from the central directory (zip64 included). ZipFile has already
     * found and checked the directory; what is read again here is the offsets it does not expose. As ZipFile does,
     * offsets are taken relative to where the directory actually lies, which allows data prepended to the archive.
     */
    private Map<String, Long> localHeaderOffsets() throws IOException {
        long size = channel.size();
        // The end record is the last 22 bytes unless the archive has a comment (then search up to 64 KiB back).
        ByteBuffer tail = bytes(size - 22, 22);
        int end = tail != null && tail.getInt(0) == END_SIG ? 0 : -1;
        if (end < 0) {
            tail = bytes(size - Math.min(size, 22 + 0xffff), (int) Math.min(size, 22 + 0xffff));
            end = tail.limit() - 22;
            while (end >= 0 && tail.getInt(end) != END_SIG) end--;
            if (end < 0) throw corrupt("no end of central directory record");
        }
        long endPos = size - tail.limit() + end;
        long cenSize = tail.getInt(end + 12) & MASK32;
        long cenOffset = tail.getInt(end + 16) & MASK32;
        long cenPos = endPos - cenSize;
        ByteBuffer locator = bytes(endPos - 20, 20);
        if (locator != null && locator.getInt(0) == ZIP64_LOCATOR_SIG) {
            long z64Pos = locator.getLong(8);
            ByteBuffer z64 = bytes(z64Pos, 56);
            if (z64 == null || z64.getInt(0) != ZIP64_END_SIG) throw corrupt("bad zip64 end of central directory record");
            cenSize = z64.getLong(40);
            cenOffset = z64.getLong(48);
            cenPos = z64Pos - cenSize;
        }
        if (cenSize < 0 || cenSize > IoSupport.MAX_ARRAY) throw corrupt("bad central directory size " + cenSize);
        ByteBuffer cen = bytes(cenPos, (int) cenSize);
        if (cen == null) throw corrupt("the central directory lies outside the file");
        long base = cenPos - cenOffset;
        Map<String, Long> out = new HashMap<>();
        // Walked to the directory's end rather than for the entry count, which wraps at 65535 without zip64.
        for (int p = 0; p < cen.limit(); ) {
            if (p + 46 > cen.limit() || cen.getInt(p) != CEN_SIG) throw corrupt("bad central directory entry at byte " + p);
            int n = cen.getShort(p + 28) & 0xffff, m = cen.getShort(p + 30) & 0xffff, k = cen.getShort(p + 32) & 0xffff;
            if (p + 46 + n + m + k > cen.limit()) throw corrupt("a central directory entry runs past the directory");
            String name = new String(cen.array(), p + 46, n, StandardCharsets.UTF_8);
            long offset = cen.getInt(p + 42) & MASK32;
            if (offset == MASK32) offset = zip64Offset(cen, p, p + 46 + n, m);
            out.put(name, base + offset);
            p += 46 + n + m + k;
        }
        return out;
    }

    /** The local header offset from a central entry's zip64 extra field: after the sizes that are also there. */
    private long zip64Offset(ByteBuffer cen, int entry, int extra, int extraLength) {
        for (int q = extra; q + 4 <= extra + extraLength; ) {
            int id = cen.getShort(q) & 0xffff, len = cen.getShort(q + 2) & 0xffff;
            if (id == 1) {
                int at = q + 4;
                if ((cen.getInt(entry + 24) & MASK32) == MASK32) at += 8; // uncompressed size
                if ((cen.getInt(entry + 20) & MASK32) == MASK32) at += 8; // compressed size
                if (at + 8 <= q + 4 + len && at + 8 <= cen.limit()) return cen.getLong(at);
            }
            q += 4 + len;
        }
        throw corrupt("a member's zip64 offset is missing");
    }

    /** Bytes of the file at a position, little-endian; null when they run past its end. */
    private ByteBuffer bytes(long pos, int n) throws IOException {
        if (pos < 0 || n < 0 || pos + n > channel.size()) return null;
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (channel.read(b, pos + b.position()) < 0) return null;
        }
        return b.clear();
    }

    private FormatException corrupt(String what) {
        return new FormatException(file, "zip central directory: " + what + " (the file is corrupt)");
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
