package trdetr.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pickle reader that executes nothing: it interprets the opcodes of protocols 2 to 5 (and the simple ones of
 * 0 and 1) into plain Java values, and resolves every global through an allow-list given by the caller. A global
 * outside it stops the load with its "module.name" in the message.
 *
 * <p>Values: None → null, bool → Boolean, int → Long (BigInteger beyond 64 bits), float → Double, str → String,
 * bytes/bytearray → byte[], list → ArrayList, tuple → unmodifiable List, dict → LinkedHashMap, set → LinkedHashSet.
 * Dict keys and set items must be None, bool, int, float, str or tuples of those (no hashing of mutable or
 * self-referencing values). Every length read from the input is checked against the bytes that remain.
 */
final class Unpickler {
    /** An allowed global called by REDUCE. */
    interface Fn {
        Object call(List<Object> args);
    }

    /** An allowed class instantiated by NEWOBJ (cls.__new__(cls, *args)). */
    interface Cls {
        Object newObj(List<Object> args);
    }

    /** An object that accepts BUILD (setstate). */
    interface Buildable {
        void build(Object state);
    }

    /** A resolved global on the stack. */
    record Global(String qualname, Object target) {}

    /** A byte stream that counts what it has handed out. */
    static final class Counting extends FilterInputStream {
        long pos;

        Counting(InputStream in, long start) {
            super(in);
            this.pos = start;
        }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) pos++;
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) pos += r;
            return r;
        }

        @Override public long skip(long n) throws IOException {
            long r = super.skip(n);
            pos += r;
            return r;
        }

        @Override public boolean markSupported() { return false; }
    }

    private static final Object MARK = new Object() {
        @Override public String toString() { return "MARK"; }
    };

    private final Path file;
    private final String what;
    private final Counting in;
    private final long limit;
    private final Map<String, Object> globals;
    private final Function<Object, Object> persistentLoad;

    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private long opStart;

    /**
     * @param file           the file, for messages
     * @param what           which pickle in it ("archive/data.pkl"), for messages
     * @param in             the input, positioned at the pickle
     * @param limit          the stream position past which nothing can be read (the end of the record or file)
     * @param globals        the allow-list: "module.name" → an {@link Fn}, a {@link Cls}, or a plain value
     * @param persistentLoad what a persistent id resolves to; null when none may occur
     */
    Unpickler(Path file, String what, Counting in, long limit, Map<String, Object> globals, Function<Object, Object> persistentLoad) {
        this.file = file;
        this.what = what;
        this.in = in;
        this.limit = limit;
        this.globals = globals;
        this.persistentLoad = persistentLoad;
    }

    /** Reads one pickle up to its STOP opcode and returns its value. */
    Object load() throws IOException {
        while (true) {
            opStart = in.pos;
            int op = in.read();
            if (op < 0) throw fail("truncated: the pickle ends before its STOP opcode");
            try {
                if (op == '.') {
                    if (stack.size() != 1 || !marks.isEmpty()) throw new IllegalArgumentException("STOP with " + stack.size() + " values on the stack");
                    Object r = stack.get(0);
                    if (r == MARK) throw new IllegalArgumentException("STOP with a MARK on the stack");
                    return r;
                }
                step(op);
            } catch (IllegalArgumentException | IllegalStateException | ArithmeticException | IndexOutOfBoundsException e) {
                throw fail(e.getMessage());
            }
        }
    }

    private FormatException fail(String message) {
        return new FormatException(file, what + " at byte " + opStart + ": " + message);
    }

    private void step(int op) throws IOException {
        switch (op) {
            // ---- framing and protocol
            case 0x80 -> { // PROTO
                int v = u8();
                if (v > 5) throw new IllegalArgumentException("pickle protocol " + v + " is not supported");
            }
            case 0x95 -> readBytes(8) /* FRAME: a length hint only */;
            // ---- constants
            case 'N' -> push(null);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'J' -> push((long) le(readBytes(4)).getInt());
            case 'K' -> push((long) u8());
            case 'M' -> push((long) (le(readBytes(2)).getShort() & 0xffff));
            case 0x8a -> push(longN(readBytes(u8())));
            case 0x8b -> push(longN(readBytes(len4Signed())));
            case 'G' -> push(ByteBuffer.wrap(readBytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
            case 'I' -> { // INT (text): "00"/"01" are False/True
                String s = line();
                push(s.equals("00") ? Boolean.FALSE : s.equals("01") ? Boolean.TRUE : parseLong(s));
            }
            case 'L' -> { // LONG (text)
                String s = line();
                push(parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
            }
            case 'F' -> push(parseDouble(line()));
            // ---- strings and bytes
            case 'X' -> push(utf8(readBytes(len4())));
            case 0x8c -> push(utf8(readBytes(u8())));
            case 0x8d -> push(utf8(readBytes(len8())));
            case 'U' -> push(new String(readBytes(u8()), StandardCharsets.ISO_8859_1));
            case 'T' -> push(new String(readBytes(len4Signed()), StandardCharsets.ISO_8859_1));
            case 'C' -> push(readBytes(u8()));
            case 'B' -> push(readBytes(len4()));
            case 0x8e, 0x96 -> push(readBytes(len8()));
            // ---- containers
            case '(' -> { marks.add(stack.size()); stack.add(MARK); }
            case ')' -> push(tuple(List.of()));
            case ']' -> push(new ArrayList<>());
            case '}' -> push(new LinkedHashMap<>());
            case 0x8f -> push(new LinkedHashSet<>());
            case 't' -> push(tuple(popMark()));
            case 0x85 -> push(tuple(popN(1)));
            case 0x86 -> push(tuple(popN(2)));
            case 0x87 -> push(tuple(popN(3)));
            case 'l' -> push(new ArrayList<>(popMark()));
            case 'd' -> {
                List<Object> items = popMark();
                Map<Object, Object> m = new LinkedHashMap<>();
                putItems(m, items);
                push(m);
            }
            case 'a' -> {
                Object v = pop();
                list(top(), "APPEND").add(v);
            }
            case 'e' -> {
                List<Object> items = popMark();
                list(top(), "APPENDS").addAll(items);
            }
            case 's' -> {
                Object v = pop();
                Object k = pop();
                map(top(), "SETITEM").put(hashable(k, 0), v);
            }
            case 'u' -> {
                List<Object> items = popMark();
                putItems(map(top(), "SETITEMS"), items);
            }
            case 0x90 -> { // ADDITEMS
                List<Object> items = popMark();
                Set<Object> set = set(top());
                for (Object o : items) set.add(hashable(o, 0));
            }
            case 0x91 -> { // FROZENSET
                Set<Object> s = new LinkedHashSet<>();
                for (Object o : popMark()) s.add(hashable(o, 0));
                push(Collections.unmodifiableSet(s));
            }
            // ---- stack manipulation
            case '0' -> pop();
            case '1' -> popMark();
            case '2' -> push(top());
            // ---- memo
            case 'q' -> memo.put((long) u8(), top());
            case 'r' -> memo.put(len4(), top());
            case 'p' -> memo.put(memoIndex(line()), top());
            case 0x94 -> memo.put((long) memo.size(), top());
            case 'h' -> push(memoGet(u8()));
            case 'j' -> push(memoGet(len4()));
            case 'g' -> push(memoGet(memoIndex(line())));
            // ---- globals and objects
            case 'c' -> {
                String module = line();
                String name = line();
                push(resolve(module, name));
            }
            case 0x93 -> { // STACK_GLOBAL
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) throw new IllegalArgumentException("STACK_GLOBAL needs two strings");
                push(resolve(m, n));
            }
            case 'R' -> {
                Object args = pop();
                Object callable = pop();
                push(call(callable, args));
            }
            case 0x81 -> { // NEWOBJ
                Object args = pop();
                Object cls = pop();
                push(newObj(cls, args));
            }
            case 0x92 -> { // NEWOBJ_EX
                Object kwargs = pop();
                Object args = pop();
                Object cls = pop();
                if (!(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) throw new IllegalArgumentException("NEWOBJ_EX with keyword arguments is not supported");
                push(newObj(cls, args));
            }
            case 'b' -> {
                Object state = pop();
                build(top(), state);
            }
            case 'Q' -> { // BINPERSID
                Object pid = pop();
                if (persistentLoad == null) throw new IllegalArgumentException("a persistent id is not expected in this pickle");
                push(persistentLoad.apply(pid));
            }
            case 'P' -> throw new IllegalArgumentException("text persistent ids (PERSID) are not supported");
            case 'i', 'o' -> throw new IllegalArgumentException("the protocol-0/1 instance opcodes (INST, OBJ) are not supported");
            case 'S', 'V' -> throw new IllegalArgumentException("protocol-0 string opcodes are not supported (torch.save writes protocol 2)");
            case 0x82, 0x83, 0x84 -> throw new IllegalArgumentException("extension-registry opcodes (EXT1/2/4) are not supported");
            case 0x97, 0x98 -> throw new IllegalArgumentException("out-of-band buffers (protocol 5) are not supported");
            default -> throw new IllegalArgumentException(String.format("unknown pickle opcode 0x%02x", op));
        }
    }

    // ------------------------------------------------------------------ globals

    private Global resolve(String module, String name) {
        String qualname = module + "." + name;
        Object target = globals.get(qualname);
        if (target == null) {
            throw new IllegalArgumentException("global " + FormatException.quote(qualname) + " is not on the allow-list; refusing to load it");
        }
        return new Global(qualname, target);
    }

    private Object call(Object callable, Object args) {
        if (!(callable instanceof Global g)) throw new IllegalArgumentException("REDUCE on a " + typeName(callable) + ", not a global");
        if (!(g.target instanceof Fn fn)) throw new IllegalArgumentException(FormatException.quote(g.qualname) + " cannot be called here");
        return fn.call(args(args, g));
    }

    private Object newObj(Object cls, Object args) {
        if (!(cls instanceof Global g)) throw new IllegalArgumentException("NEWOBJ on a " + typeName(cls) + ", not a class");
        if (!(g.target instanceof Cls c)) throw new IllegalArgumentException(FormatException.quote(g.qualname) + " cannot be instantiated here");
        return c.newObj(args(args, g));
    }

    private static List<Object> args(Object args, Global g) {
        if (!(args instanceof List<?> l) || args instanceof ArrayList<?>) {
            throw new IllegalArgumentException("the arguments of " + FormatException.quote(g.qualname) + " are a " + typeName(args) + ", not a tuple");
        }
        @SuppressWarnings("unchecked") List<Object> r = (List<Object>) l;
        return r;
    }

    private static void build(Object obj, Object state) {
        if (obj instanceof Buildable b) {
            b.build(state);
        } else if (obj instanceof Map<?, ?> && (state instanceof Map<?, ?> || state == null)) {
            // attributes of a dict subclass instance (an OrderedDict state_dict's _metadata): not items, dropped
        } else {
            throw new IllegalArgumentException("BUILD (setstate) on a " + typeName(obj) + " is not supported");
        }
    }

    // ------------------------------------------------------------------ stack

    private void push(Object o) { stack.add(o); }

    private Object pop() {
        if (stack.isEmpty()) throw new IllegalArgumentException("stack underflow");
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) throw new IllegalArgumentException("unexpected MARK on the stack");
        return o;
    }

    private Object top() {
        if (stack.isEmpty()) throw new IllegalArgumentException("stack underflow");
        Object o = stack.get(stack.size() - 1);
        if (o == MARK) throw new IllegalArgumentException("unexpected MARK on the stack");
        return o;
    }

    private List<Object> popN(int n) {
        if (stack.size() < n) throw new IllegalArgumentException("stack underflow");
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        if (items.stream().anyMatch(o -> o == MARK)) throw new IllegalArgumentException("unexpected MARK on the stack");
        stack.subList(stack.size() - n, stack.size()).clear();
        return items;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) throw new IllegalArgumentException("no MARK on the stack");
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) throw new IllegalArgumentException("memo entry " + key + " is not defined");
        return memo.get(key);
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String op) {
        if (!(o instanceof ArrayList<?>)) throw new IllegalArgumentException(op + " on a " + typeName(o) + ", not a list");
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o, String op) {
        if (!(o instanceof LinkedHashMap<?, ?>)) throw new IllegalArgumentException(op + " on a " + typeName(o) + ", not a dict");
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Set<Object> set(Object o) {
        if (!(o instanceof LinkedHashSet<?>)) throw new IllegalArgumentException("ADDITEMS on a " + typeName(o) + ", not a set");
        return (Set<Object>) o;
    }

    private static void putItems(Map<Object, Object> m, List<Object> items) {
        if (items.size() % 2 != 0) throw new IllegalArgumentException("odd number of dict items");
        for (int i = 0; i < items.size(); i += 2) m.put(hashable(items.get(i), 0), items.get(i + 1));
    }

    /** Only values whose Java hashing is safe and matches Python's may be dict keys or set items. */
    private static Object hashable(Object k, int depth) {
        if (k == null || k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double || k instanceof Boolean) return k;
        if (k instanceof List<?> l && !(k instanceof ArrayList<?>) && depth < 32) {
            for (Object o : l) hashable(o, depth + 1);
            return k;
        }
        throw new IllegalArgumentException("a dict key or set item of type " + typeName(k) + " is not supported");
    }

    static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof String) return "str";
        if (o instanceof Long || o instanceof BigInteger) return "int";
        if (o instanceof Double) return "float";
        if (o instanceof Boolean) return "bool";
        if (o instanceof byte[]) return "bytes";
        if (o instanceof ArrayList<?>) return "list";
        if (o instanceof List<?>) return "tuple";
        if (o instanceof Map<?, ?>) return "dict";
        if (o instanceof Set<?>) return "set";
        if (o instanceof Global g) return "global " + g.qualname;
        if (o == MARK) return "MARK";
        return o.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ reading

    private int u8() throws IOException {
        int b = in.read();
        if (b < 0) throw new IllegalArgumentException("truncated: the pickle ends inside an opcode");
        return b;
    }

    private long len4() throws IOException { return le(readBytes(4)).getInt() & 0xffffffffL; }

    private long len4Signed() throws IOException {
        int n = le(readBytes(4)).getInt();
        if (n < 0) throw new IllegalArgumentException("negative length " + n);
        return n;
    }

    private long len8() throws IOException {
        long n = le(readBytes(8)).getLong();
        if (n < 0) throw new IllegalArgumentException("length " + Long.toUnsignedString(n) + " is too large");
        return n;
    }

    private byte[] readBytes(long n) throws IOException {
        if (limit >= 0 && n > limit - in.pos) {
            throw new IllegalArgumentException("truncated: a length of " + n + " bytes runs past the end (" + (limit - in.pos) + " bytes left)");
        }
        if (n > IoSupport.MAX_ARRAY) throw new IllegalArgumentException("a length of " + n + " bytes is too large");
        byte[] b = new byte[(int) n];
        int filled = 0;
        while (filled < n) {
            int r = in.read(b, filled, (int) n - filled);
            if (r < 0) throw new IllegalArgumentException("truncated: the pickle ends inside an opcode");
            filled += r;
        }
        return b;
    }

    /** A newline-terminated ASCII argument (GLOBAL, INT, ...), at most 4096 bytes. */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = u8();
            if (b == '\n') return sb.toString();
            if (sb.length() >= 4096) throw new IllegalArgumentException("text argument longer than 4096 bytes");
            sb.append((char) b);
        }
    }

    private static ByteBuffer le(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN); }

    /** A little-endian two's-complement integer of any length (LONG1/LONG4). */
    private static Object longN(byte[] b) {
        if (b.length == 0) return 0L;
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) be[i] = b[b.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static Object parseLong(String s) {
        try {
            BigInteger v = new BigInteger(s.strip());
            return v.bitLength() < 64 ? (Object) v.longValue() : v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad integer " + FormatException.quote(s));
        }
    }

    private static long memoIndex(String s) {
        if (!(parseLong(s) instanceof Long l)) throw new IllegalArgumentException("bad memo index " + FormatException.quote(s));
        return l;
    }

    private static Double parseDouble(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad float " + FormatException.quote(s));
        }
    }

    private static String utf8(byte[] b) { return Utf8.decode(b, 0, b.length); }
}
