package trdetr.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import trdetr.io.IoSupport.Elem;
import trdetr.io.Unpickler.Buildable;
import trdetr.io.Unpickler.Cls;
import trdetr.io.Unpickler.Counting;
import trdetr.io.Unpickler.Fn;
import trdetr.tensor.Tensor;

/**
 * Reads files written by {@code torch.save} without Python and without executing anything from them.
 *
 * <p>Two layouts: the zip archive of PyTorch 1.6 and later ({@code NAME/data.pkl}, the storages as
 * {@code NAME/data/KEY}, {@code NAME/version}, optionally {@code NAME/byteorder}), and the legacy stream
 * ({@code _use_new_zipfile_serialization=False}: pickles of the magic number, the protocol version and sys_info,
 * then the object pickle, the sorted list of storage keys, and each storage as an 8-byte little-endian element
 * count followed by its little-endian bytes).
 *
 * <p>Storages are persistent ids {@code ('storage', torch.FloatStorage, key, location, numel)}; tensors are
 * {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])}, rebuilt
 * as contiguous CPU tensors (float16/bfloat16 → FLOAT32, float64 → FLOAT64, integers → INT64, bool → BOOL).
 * Only the globals in {@link #ALLOWED_GLOBALS} may appear; anything else is a {@link FormatException} naming it.
 *
 * <p>TorchScript archives ({@code torch.jit.save}: the zip layout with {@code NAME/constants.pkl} and
 * {@code NAME/code/}) are read by {@link #readScriptModule}: their object pickle names the archive's own classes
 * ({@code __torch__.*}), which become plain attribute holders; their code is never read.
 */
public final class TorchCheckpoint {
    private TorchCheckpoint() {}

    /**
     * A checkpoint: the model's state_dict, the training options (argparse.Namespace attributes, empty when
     * absent), the epoch (a Long, or null) and the whole top-level dict as read.
     */
    public record Checkpoint(Map<String, Tensor> stateDict, Map<String, Object> opt, Object epoch, Map<String, Object> raw) {}

    /**
     * The globals a checkpoint may reference: exactly what torch.save emits for tensors, parameters, an
     * OrderedDict state_dict, an AdamW/StepLR state_dict, an argparse.Namespace or an easydict.EasyDict of options
     * (Lighthouse saves its options as an EasyDict), a torch.device, and the NumPy scalars that appear in some option
     * namespaces.
     */
    public static final List<String> ALLOWED_GLOBALS = List.of(
            "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
            "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.LongStorage",
            "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage", "torch.BoolStorage",
            "collections.OrderedDict", "argparse.Namespace", "easydict.EasyDict", "torch.device",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype", "_codecs.encode");

    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    /** Elements rebuilt tensors may take beyond four per byte of the file (tied or expanded weights). */
    private static final long MIN_BUDGET = 1L << 26;

    /** Reads a checkpoint: the official TR-DETR layout ({"model": ..., "opt": ..., "epoch": ...}) or a bare state_dict. */
    public static Checkpoint read(Path file) throws IOException {
        return checkpoint(file, load(file));
    }

    /**
     * The weights of either kind of PyTorch file: a TorchScript archive's tensors ({@link #readScriptModule}) or a
     * checkpoint's state_dict ({@link #read}).
     */
    public static Map<String, Tensor> readWeights(Path file) throws IOException {
        Object top = load(file);
        return top instanceof ScriptObject module ? scriptTensors(file, module) : checkpoint(file, top).stateDict();
    }

    private static Checkpoint checkpoint(Path file, Object top) {
        if (top instanceof ScriptObject) throw new FormatException(file, "a TorchScript archive (torch.jit.save), not a torch.save checkpoint");
        if (!(top instanceof Map<?, ?> m)) throw new FormatException(file, "the checkpoint holds a " + Unpickler.typeName(top) + ", not a dict");
        Map<String, Object> raw = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k)) throw new FormatException(file, "top-level key " + e.getKey() + " is not a string");
            raw.put(k, e.getValue());
        }
        raw = Collections.unmodifiableMap(raw);
        Map<String, Tensor> stateDict;
        if (raw.containsKey("model")) {
            stateDict = stateDict(file, raw.get("model"), "model");
        } else if (raw.containsKey("state_dict")) {
            stateDict = stateDict(file, raw.get("state_dict"), "state_dict");
        } else {
            for (Map.Entry<String, Object> e : raw.entrySet()) {
                if (!(e.getValue() instanceof Tensor)) {
                    throw new FormatException(file, "no 'model' entry, and not a bare state_dict: entry " + FormatException.quote(e.getKey())
                            + " is a " + Unpickler.typeName(e.getValue()) + ", not a tensor");
                }
            }
            stateDict = stateDict(file, raw, null);
        }
        Map<String, Object> opt = Map.of();
        if (raw.get("opt") instanceof Map<?, ?> o) {
            Map<String, Object> copy = new LinkedHashMap<>();
            o.forEach((k, v) -> copy.put(String.valueOf(k), v));
            opt = Collections.unmodifiableMap(copy);
        }
        return new Checkpoint(stateDict, opt, raw.get("epoch"), raw);
    }

    /** The class namespace of a TorchScript archive's own classes. */
    private static final String SCRIPT_NAMESPACE = "__torch__.";
    /** How deep {@link #readScriptModule} follows sub-modules. */
    private static final int MAX_SCRIPT_DEPTH = 64;

    /**
     * The tensors of a TorchScript archive ({@code torch.jit.save}, as OpenAI's CLIP {@code .pt} files) by dotted
     * attribute path, as its module's {@code state_dict()} names them: the parameters, the buffers and any other
     * tensor attribute of the module and its sub-modules. Only the archive's object pickle and tensor records are
     * read: its classes ({@code __torch__.*}) become plain attribute holders, and its code is neither read nor run.
     */
    public static Map<String, Tensor> readScriptModule(Path file) throws IOException {
        Object top = load(file);
        if (!(top instanceof ScriptObject module)) {
            throw new FormatException(file, "not a TorchScript archive (torch.jit.save): it holds a " + Unpickler.typeName(top) + ", not a module");
        }
        return scriptTensors(file, module);
    }

    private static Map<String, Tensor> scriptTensors(Path file, ScriptObject module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectTensors(file, "", module, out, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        return Collections.unmodifiableMap(out);
    }

    /** Each module object is walked once (a pickle can make one its own attribute), at most MAX_SCRIPT_DEPTH deep. */
    private static void collectTensors(Path file, String prefix, ScriptObject module, Map<String, Tensor> out, java.util.Set<Object> seen) {
        if (!seen.add(module)) return;
        if (prefix.chars().filter(c -> c == '.').count() > MAX_SCRIPT_DEPTH) {
            throw new FormatException(file, "modules nested deeper than " + MAX_SCRIPT_DEPTH + " at " + FormatException.quote(prefix));
        }
        for (Map.Entry<String, Object> e : module.entrySet()) {
            if (e.getValue() instanceof Tensor t) out.put(prefix + e.getKey(), t);
            else if (e.getValue() instanceof ScriptObject sub) collectTensors(file, prefix + e.getKey() + ".", sub, out, seen);
        }
    }

    private static Map<String, Tensor> stateDict(Path file, Object o, String entry) {
        if (!(o instanceof Map<?, ?> m)) throw new FormatException(file, "entry '" + entry + "' is a " + Unpickler.typeName(o) + ", not a state_dict");
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String where = (entry == null ? "" : entry + ".") + e.getKey();
            if (!(e.getKey() instanceof String k)) throw new FormatException(file, "state_dict key " + where + " is not a string");
            if (!(e.getValue() instanceof Tensor t)) {
                throw new FormatException(file, "state_dict entry " + FormatException.quote(where) + " is a " + Unpickler.typeName(e.getValue()) + ", not a tensor");
            }
            out.put(k, t);
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The whole object a torch.save file holds, as plain Java values (see {@link Unpickler}): tensors as
     * {@link Tensor}, argparse.Namespace as a Map of its attributes, torch.device as its string ("cuda:0"), NumPy
     * scalars as Long/Double/Boolean.
     */
    public static Object load(Path file) throws IOException {
        byte[] head = new byte[4];
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, 4);
            if (n == 0) throw new FormatException(file, "empty file");
        }
        if (head[0] == 'P' && head[1] == 'K') return loadZip(file, size);
        if ((head[0] & 0xff) == 0x80) return loadLegacy(file, size);
        if (size > 262 && isTar(file)) throw new FormatException(file, "tar-format checkpoints (PyTorch before 0.4) are not supported");
        throw new FormatException(file, "not a torch.save file: neither a zip archive nor a legacy pickle stream");
    }

    private static boolean isTar(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(262);
            return new String(b, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar");
        }
    }

    // ------------------------------------------------------------------ storages and tensors

    /** A storage named by a persistent id. */
    private record StorageRef(String key, Elem elem, long numel) {}

    /** Where storage bytes come from. */
    private interface StorageBytes {
        byte[] read(StorageRef ref) throws IOException;
    }

    /** The allow-listed globals and the persistent-id loader of one pickle, over one file's storages. */
    private static final class Loader {
        private final StorageBytes source;
        /** false in the first pass over a legacy file, before the storages have been located. */
        private final boolean materialize;
        /**
         * Elements the rebuilt tensors may still take. Views are copied out of their storages, so a small file could
         * otherwise ask for huge copies (a stride-0 view, or one storage rebuilt many times).
         */
        private long budget;
        final Map<String, StorageRef> storages = new LinkedHashMap<>();
        private final Map<String, Object> decoded = new HashMap<>();
        final Map<String, Object> globals = new HashMap<>();
        private final boolean script;

        /**
         * What the unpickler may resolve: {@link #ALLOWED_GLOBALS}, and in a TorchScript archive also any class of
         * the archive's own {@code __torch__} namespace, as an inert {@link ScriptObject}.
         */
        Map<String, Object> allowList() {
            if (!script) return globals;
            return new HashMap<>(globals) {
                @Override public Object get(Object key) {
                    Object v = super.get(key);
                    if (v != null || !(key instanceof String name) || !name.startsWith(SCRIPT_NAMESPACE)) return v;
                    return (Cls) args -> {
                        arity(args, 0, 0, name);
                        return new ScriptObject(name);
                    };
                }
            };
        }

        Loader(StorageBytes source, boolean materialize, long fileSize) {
            this(source, materialize, fileSize, false);
        }

        /** @param script whether the pickle is a TorchScript archive's, whose {@code __torch__.*} classes become {@link ScriptObject}s */
        Loader(StorageBytes source, boolean materialize, long fileSize, boolean script) {
            this.script = script;
            this.budget = 4 * fileSize + MIN_BUDGET;
            this.source = source;
            this.materialize = materialize;
            Map<String, Elem> types = Map.of("Float", Elem.F32, "Double", Elem.F64, "Half", Elem.F16, "BFloat16", Elem.BF16, "Long", Elem.I64,
                    "Int", Elem.I32, "Short", Elem.I16, "Char", Elem.I8, "Byte", Elem.U8, "Bool", Elem.BOOL);
            types.forEach((name, elem) -> globals.put("torch." + name + "Storage", elem));
            globals.put("torch._utils._rebuild_tensor_v2", (Fn) this::rebuildTensor);
            globals.put("torch._utils._rebuild_parameter", (Fn) args -> {
                arity(args, 3, 3, "_rebuild_parameter");
                return args.get(0);
            });
            globals.put("collections.OrderedDict", (Fn) args -> {
                arity(args, 0, 0, "OrderedDict");
                return new LinkedHashMap<>();
            });
            globals.put("argparse.Namespace", new NamespaceClass());
            globals.put("easydict.EasyDict", new EasyDictClass());
            globals.put("torch.device", (Fn) TorchCheckpoint::device);
            globals.put("numpy.core.multiarray.scalar", (Fn) TorchCheckpoint::numpyScalar);
            globals.put("numpy._core.multiarray.scalar", (Fn) TorchCheckpoint::numpyScalar);
            globals.put("numpy.dtype", (Fn) TorchCheckpoint::numpyDtype);
            globals.put("_codecs.encode", (Fn) TorchCheckpoint::codecsEncode);
            if (!globals.keySet().equals(new java.util.HashSet<>(ALLOWED_GLOBALS))) throw new AssertionError("allow-list out of sync");
        }

        /** ('storage', storage_type, key, location, numel) in the zip layout; legacy adds view_metadata (None). */
        Object persistentLoad(Object pid) {
            if (!(pid instanceof List<?> t) || pid instanceof ArrayList<?> || t.size() < 5 || t.size() > 6) {
                throw new IllegalArgumentException("persistent id is not a ('storage', type, key, location, numel) tuple");
            }
            if (!"storage".equals(t.get(0))) throw new IllegalArgumentException("persistent id of kind " + FormatException.quote(String.valueOf(t.get(0))) + " is not supported");
            if (!(t.get(1) instanceof Unpickler.Global g) || !(g.target() instanceof Elem elem)) {
                throw new IllegalArgumentException("storage type " + Unpickler.typeName(t.get(1)) + " is not a torch storage class");
            }
            if (!(t.get(2) instanceof String key)) throw new IllegalArgumentException("storage key is a " + Unpickler.typeName(t.get(2)) + ", not a string");
            if (!(t.get(3) instanceof String)) throw new IllegalArgumentException("storage " + FormatException.quote(key) + ": location is not a string");
            if (!(t.get(4) instanceof Long numel) || numel < 0 || numel > IoSupport.MAX_ARRAY / elem.size) {
                throw new IllegalArgumentException("storage " + FormatException.quote(key) + ": bad element count " + t.get(4));
            }
            if (t.size() == 6 && t.get(5) != null) throw new IllegalArgumentException("storage " + FormatException.quote(key) + ": storage views (view_metadata) are not supported");
            StorageRef ref = new StorageRef(key, elem, numel);
            StorageRef seen = storages.putIfAbsent(key, ref);
            if (seen != null && !seen.equals(ref)) {
                throw new IllegalArgumentException("storage " + FormatException.quote(key) + " is referenced as " + seen.elem + "×" + seen.numel + " and as " + elem + "×" + numel);
            }
            return ref;
        }

        private Object rebuildTensor(List<Object> args) {
            arity(args, 6, 7, "_rebuild_tensor_v2");
            if (!(args.get(0) instanceof StorageRef ref)) throw new IllegalArgumentException("_rebuild_tensor_v2: argument 1 is a " + Unpickler.typeName(args.get(0)) + ", not a storage");
            String where = "tensor over storage " + FormatException.quote(ref.key) + ": ";
            if (!(args.get(1) instanceof Long offset) || offset < 0) throw new IllegalArgumentException(where + "bad storage offset " + args.get(1));
            int[] shape = dims(args.get(2), where + "size");
            int[] strideInts = dims(args.get(3), where + "stride");
            if (shape.length != strideInts.length) throw new IllegalArgumentException(where + "size has " + shape.length + " dimensions but stride has " + strideInts.length);
            long numel = 1;
            long last = offset;
            for (int i = 0; i < shape.length; i++) {
                numel *= shape[i];
                if (numel > Integer.MAX_VALUE) throw new IllegalArgumentException(where + "more than 2^31 elements");
            }
            if (numel > 0) {
                for (int i = 0; i < shape.length; i++) last = Math.addExact(last, Math.multiplyExact((long) shape[i] - 1, strideInts[i]));
                if (last >= ref.numel) {
                    throw new IllegalArgumentException(where + "offset " + offset + ", size " + java.util.Arrays.toString(shape) + " and stride "
                            + java.util.Arrays.toString(strideInts) + " reach element " + last + " of a storage of " + ref.numel);
                }
            }
            budget -= numel;
            if (budget < 0) {
                throw new IllegalArgumentException(where + "the tensors would take more elements than the file can account for"
                        + " (expanded stride-0 views, or one storage rebuilt many times)");
            }
            if (!materialize) return ref;
            Object storage = decoded(ref);
            Object data = gather(storage, (int) (long) offset, shape, strideInts, (int) numel);
            return Tensor.fromHost(Tensor.defaultBackend(), data, shape);
        }

        private Object decoded(StorageRef ref) {
            Object d = decoded.get(ref.key);
            if (d == null) {
                byte[] bytes;
                try {
                    bytes = source.read(ref);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                d = IoSupport.decode(bytes, 0, (int) ref.numel, ref.elem, ByteOrder.LITTLE_ENDIAN);
                decoded.put(ref.key, d);
            }
            return d;
        }
    }

    /** A contiguous copy of a strided view of a host array. */
    private static Object gather(Object src, int offset, int[] shape, int[] strides, int numel) {
        Object dst = java.lang.reflect.Array.newInstance(src.getClass().getComponentType(), numel);
        if (numel == 0) return dst;
        int[] contiguous = trdetr.tensor.Shape.contiguousStrides(shape);
        boolean plain = true;
        for (int i = 0; i < shape.length; i++) if (shape[i] != 1 && strides[i] != contiguous[i]) plain = false;
        if (plain) {
            System.arraycopy(src, offset, dst, 0, numel);
            return dst;
        }
        int rank = shape.length;
        int[] idx = new int[rank];
        int[] from = new int[numel];
        int at = offset;
        for (int i = 0; i < numel; i++) {
            from[i] = at;
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    at += strides[d];
                    break;
                }
                at -= strides[d] * (shape[d] - 1);
                idx[d] = 0;
            }
        }
        if (src instanceof float[] f) {
            float[] o = (float[]) dst;
            for (int i = 0; i < numel; i++) o[i] = f[from[i]];
        } else if (src instanceof double[] d) {
            double[] o = (double[]) dst;
            for (int i = 0; i < numel; i++) o[i] = d[from[i]];
        } else if (src instanceof long[] l) {
            long[] o = (long[]) dst;
            for (int i = 0; i < numel; i++) o[i] = l[from[i]];
        } else {
            boolean[] b = (boolean[]) src;
            boolean[] o = (boolean[]) dst;
            for (int i = 0; i < numel; i++) o[i] = b[from[i]];
        }
        return dst;
    }

    private static int[] dims(Object o, String what) {
        if (!(o instanceof List<?> l) || o instanceof ArrayList<?>) throw new IllegalArgumentException(what + " is a " + Unpickler.typeName(o) + ", not a tuple");
        int[] r = new int[l.size()];
        for (int i = 0; i < r.length; i++) {
            if (!(l.get(i) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " has a bad entry " + l.get(i));
            r[i] = (int) (long) v;
        }
        return r;
    }

    private static void arity(List<Object> args, int min, int max, String fn) {
        if (args.size() < min || args.size() > max) {
            throw new IllegalArgumentException(fn + " takes " + (min == max ? min : min + " to " + max) + " arguments, got " + args.size());
        }
    }

    // ------------------------------------------------------------------ the other allowed globals

    /** An object whose attributes BUILD sets from a dict of names: an argparse.Namespace, a TorchScript module. */
    static class Attributes extends LinkedHashMap<String, Object> implements Buildable {
        final String type;

        Attributes(String type) { this.type = type; }

        @Override public void build(Object state) {
            if (!(state instanceof Map<?, ?> m)) throw new IllegalArgumentException(type + " state is a " + Unpickler.typeName(state) + ", not a dict");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException(type + " attribute name is not a string");
                put(k, e.getValue());
            }
        }
    }

    /** argparse.Namespace: its attributes, set by BUILD. */
    static final class Namespace extends Attributes {
        Namespace() { super("argparse.Namespace"); }
    }

    /**
     * An object of a TorchScript archive's own classes ({@code __torch__.*}: the saved modules): only the attributes
     * BUILD gives it are kept; its code (the archive's {@code code/} records) is never read.
     */
    static final class ScriptObject extends Attributes {
        ScriptObject(String type) { super(type); }
    }

    private static final class NamespaceClass implements Cls, Fn {
        @Override public Object newObj(List<Object> args) { return new Namespace(); }

        @Override public Object call(List<Object> args) {
            arity(args, 0, 0, "argparse.Namespace");
            return new Namespace();
        }
    }

    /**
     * easydict.EasyDict (a dict whose keys are also attributes): pickled as a dict subclass, NEWOBJ then its items
     * (SETITEMS) then its attributes (BUILD), which hold the same names and values.
     */
    static final class EasyDict extends Attributes {
        EasyDict() { super("easydict.EasyDict"); }
    }

    private static final class EasyDictClass implements Cls, Fn {
        @Override public Object newObj(List<Object> args) { return new EasyDict(); }

        @Override public Object call(List<Object> args) {
            arity(args, 0, 0, "easydict.EasyDict");
            return new EasyDict();
        }
    }

    /** torch.device('cuda', 0) → "cuda:0". */
    private static Object device(List<Object> args) {
        arity(args, 1, 2, "torch.device");
        if (!(args.get(0) instanceof String type)) throw new IllegalArgumentException("torch.device: the type is not a string");
        if (args.size() == 1 || args.get(1) == null) return type;
        if (!(args.get(1) instanceof Long index)) throw new IllegalArgumentException("torch.device: the index is not an int");
        return type + ":" + index;
    }

    /** numpy.dtype('f8', False, True) followed by BUILD (3, '<', ...). */
    static final class NumpyDtype implements Buildable {
        final String code;
        char order = '|';

        NumpyDtype(String code) { this.code = code; }

        @Override public void build(Object state) {
            if (!(state instanceof List<?> t) || t.size() < 2 || !(t.get(1) instanceof String o) || o.length() != 1 || "<>|=".indexOf(o.charAt(0)) < 0) {
                throw new IllegalArgumentException("numpy.dtype state is not (version, byteorder, ...)");
            }
            order = o.charAt(0);
        }
    }

    private static Object numpyDtype(List<Object> args) {
        arity(args, 1, 3, "numpy.dtype");
        if (!(args.get(0) instanceof String code)) throw new IllegalArgumentException("numpy.dtype: the type code is not a string");
        return new NumpyDtype(code);
    }

    /** numpy.core.multiarray.scalar(dtype, raw bytes) → Long, Double or Boolean. */
    private static Object numpyScalar(List<Object> args) {
        arity(args, 2, 2, "numpy scalar");
        if (!(args.get(0) instanceof NumpyDtype dt)) throw new IllegalArgumentException("numpy scalar: the dtype is a " + Unpickler.typeName(args.get(0)));
        byte[] b;
        if (args.get(1) instanceof byte[] raw) b = raw;
        else if (args.get(1) instanceof String s) b = latin1(s);
        else throw new IllegalArgumentException("numpy scalar: the data is a " + Unpickler.typeName(args.get(1)));
        Elem e = Elem.ofNumpyCode(dt.code);
        if (e == null) throw new IllegalArgumentException("numpy scalar of dtype " + FormatException.quote(dt.code) + " is not supported");
        if (b.length != e.size) throw new IllegalArgumentException("numpy scalar of dtype " + dt.code + " has " + b.length + " bytes");
        Object v = IoSupport.decode(b, 0, 1, e, dt.order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (v instanceof float[] f) return (double) f[0];
        if (v instanceof double[] d) return d[0];
        if (v instanceof long[] l) return l[0];
        return ((boolean[]) v)[0];
    }

    /** _codecs.encode(text, 'latin1'): how protocol 2 carries bytes from Python 3. */
    private static Object codecsEncode(List<Object> args) {
        arity(args, 2, 2, "_codecs.encode");
        if (!(args.get(0) instanceof String s)) throw new IllegalArgumentException("_codecs.encode: the text is not a string");
        if (!"latin1".equals(args.get(1)) && !"latin-1".equals(args.get(1))) {
            throw new IllegalArgumentException("_codecs.encode: only the latin1 encoding is allowed, not " + FormatException.quote(String.valueOf(args.get(1))));
        }
        return latin1(s);
    }

    private static byte[] latin1(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            char c = s.charAt(i);
            if (c > 0xff) throw new IllegalArgumentException("latin1 text holds a character above U+00FF");
            b[i] = (byte) c;
        }
        return b;
    }

    // ------------------------------------------------------------------ the zip layout

    private static Object loadZip(Path file, long size) throws IOException {
        try (CheckedZip zip = CheckedZip.open(file)) {
            String prefix = null;
            List<String> names = new ArrayList<>();
            for (ZipEntry entry : zip.entries()) {
                String name = entry.getName();
                names.add(name);
                int slash = name.indexOf('/');
                if (name.endsWith("/data.pkl") && slash == name.length() - "/data.pkl".length()) {
                    if (prefix != null) throw new FormatException(file, "more than one data.pkl record (" + prefix + "data.pkl, " + name + ")");
                    prefix = name.substring(0, slash + 1);
                }
            }
            if (prefix == null) {
                if (names.stream().anyMatch(n -> n.endsWith("/constants.pkl") || n.contains("/code/"))) {
                    throw new FormatException(file, "a TorchScript archive (torch.jit.save), not a torch.save checkpoint");
                }
                throw new FormatException(file, "zip archive without a NAME/data.pkl record: not a torch.save checkpoint");
            }
            final String top = prefix;
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry bo = zip.entry(top + "byteorder");
            if (bo != null) {
                String s = new String(readEntry(zip, bo, file, top + "byteorder", 16, size), StandardCharsets.US_ASCII).strip();
                if (s.equals("big")) order = ByteOrder.BIG_ENDIAN;
                else if (!s.equals("little")) throw new FormatException(file, top + "byteorder holds " + FormatException.quote(s) + ", not little/big");
            }
            final ByteOrder byteOrder = order;
            String pklName = top + "data.pkl";
            byte[] pkl = readEntry(zip, zip.entry(pklName), file, pklName, -1, size);
            StorageBytes source = ref -> {
                String name = top + "data/" + ref.key;
                ZipEntry e = zip.entry(name);
                if (e == null) throw new FormatException(file, "storage record " + FormatException.quote(name) + " is missing");
                long nbytes = ref.numel * ref.elem.size;
                byte[] b = readEntry(zip, e, file, name, nbytes, size);
                if (b.length != nbytes) {
                    throw new FormatException(file, "storage record " + FormatException.quote(name) + " holds " + b.length + " bytes, but "
                            + ref.numel + " elements of " + ref.elem.dtype + " need " + nbytes);
                }
                if (byteOrder == ByteOrder.BIG_ENDIAN) swap(b, ref.elem.size);
                return b;
            };
            boolean script = zip.entry(top + "constants.pkl") != null || names.stream().anyMatch(n -> n.startsWith(top + "code/"));
            Loader loader = new Loader(source, true, size, script);
            Counting in = new Counting(new java.io.ByteArrayInputStream(pkl), 0);
            try {
                return new Unpickler(file, pklName, in, pkl.length, loader.allowList(), loader::persistentLoad).load();
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }

    /** The bytes of a zip member (CRC-checked), no more than {@code max} (-1: up to the file size). */
    private static byte[] readEntry(CheckedZip zip, ZipEntry e, Path file, String name, long max, long fileSize) throws IOException {
        long declared = e.getSize();
        long bound = max >= 0 ? max : e.getMethod() == ZipEntry.STORED ? fileSize : IoSupport.MAX_ARRAY;
        if (declared > bound) {
            throw new FormatException(file, "record " + FormatException.quote(name) + " holds " + declared + " bytes, expected " + (max >= 0 ? "" : "at most ") + bound);
        }
        return zip.read(e, in -> IoSupport.readExactly(in, declared, file, "record " + FormatException.quote(name)));
    }

    private static void swap(byte[] b, int width) {
        if (width == 1) return;
        for (int i = 0; i + width <= b.length; i += width) {
            for (int j = 0; j < width / 2; j++) {
                byte t = b[i + j];
                b[i + j] = b[i + width - 1 - j];
                b[i + width - 1 - j] = t;
            }
        }
    }

    // ------------------------------------------------------------------ the legacy layout

    private static Object loadLegacy(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Counting in = new Counting(new BufferedInputStream(Files.newInputStream(file), 1 << 16), 0);
            try (in) {
                Map<String, Object> none = Map.of();
                Object magic = new Unpickler(file, "legacy magic number", in, size, none, null).load();
                if (!LEGACY_MAGIC.equals(magic)) throw new FormatException(file, "not a torch.save file: the legacy magic number is missing");
                Object protocol = new Unpickler(file, "legacy protocol version", in, size, none, null).load();
                if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol)) throw new FormatException(file, "unsupported legacy protocol version " + protocol + " (expected 1001)");
                Object sysInfo = new Unpickler(file, "legacy sys_info", in, size, none, null).load();
                if (!(sysInfo instanceof Map<?, ?>)) throw new FormatException(file, "legacy sys_info is a " + Unpickler.typeName(sysInfo) + ", not a dict");
                long objectStart = in.pos;

                // Pass 1: the object pickle with storages unread, to learn each storage's type.
                Loader scan = new Loader(ref -> null, false, size);
                new Unpickler(file, "object pickle", in, size, scan.globals, scan::persistentLoad).load();
                Object keys = new Unpickler(file, "storage key list", in, size, none, null).load();
                if (!(keys instanceof ArrayList<?> keyList)) throw new FormatException(file, "the storage key list is a " + Unpickler.typeName(keys) + ", not a list");

                Map<String, Long> positions = new HashMap<>();
                for (Object k : keyList) {
                    if (!(k instanceof String key)) throw new FormatException(file, "storage key " + k + " is not a string");
                    StorageRef ref = scan.storages.get(key);
                    if (ref == null) throw new FormatException(file, "storage " + FormatException.quote(key) + " is listed but never referenced");
                    if (positions.containsKey(key)) throw new FormatException(file, "storage " + FormatException.quote(key) + " is listed twice");
                    if (size - in.pos < 8) throw new FormatException(file, "truncated: storage " + FormatException.quote(key) + " is missing");
                    long count = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
                    if (count != ref.numel) {
                        throw new FormatException(file, "storage " + FormatException.quote(key) + " holds " + count + " elements, the pickle says " + ref.numel);
                    }
                    long nbytes = count * ref.elem.size;
                    if (nbytes > size - in.pos) {
                        throw new FormatException(file, "truncated: storage " + FormatException.quote(key) + " needs " + nbytes + " bytes, " + (size - in.pos) + " remain");
                    }
                    positions.put(key, in.pos);
                    in.skipNBytes(nbytes);
                }
                for (String key : scan.storages.keySet()) {
                    if (!positions.containsKey(key)) throw new FormatException(file, "storage " + FormatException.quote(key) + " is referenced but its data is missing");
                }

                // Pass 2: the object pickle again, now building tensors from the located storages.
                StorageBytes source = ref -> {
                    ByteBuffer b = ByteBuffer.allocate((int) (ref.numel * ref.elem.size));
                    long pos = positions.get(ref.key);
                    while (b.hasRemaining()) {
                        if (ch.read(b, pos + b.position()) < 0) throw new FormatException(file, "truncated: storage " + FormatException.quote(ref.key));
                    }
                    return b.array();
                };
                Loader loader = new Loader(source, true, size);
                try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                    raw.skipNBytes(objectStart);
                    Counting again = new Counting(raw, objectStart);
                    return new Unpickler(file, "object pickle", again, size, loader.globals, loader::persistentLoad).load();
                } catch (java.io.UncheckedIOException e) {
                    throw e.getCause();
                }
            }
        }
    }
}
