package trdetr.backend.cuda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * Every kernel the CUDA backend launches: its PTX module (kernels/ptx/MODULE.ptx, in the jar as /kernels/MODULE.ptx),
 * its entry name and its parameters, in one place. A launch names a table entry ({@code UNARY.of(dtype)}), never a
 * string, and {@link Kernel#check} holds its Java arguments to the declared parameters before anything reaches the
 * driver. KernelTableTest holds the declarations to the committed PTX (entry names, parameter counts and types), so a
 * renamed or re-typed kernel fails the build on any machine instead of a GPU run.
 *
 * <p>Signatures are written like the CUDA ones they mirror, "type name" pairs: {@code ptr} a device address (a
 * {@link Tensor} or {@link CudaStorage}), {@code ptr?} the same or null for none, {@code long} (CUDA long long),
 * {@code int}, {@code float}, {@code double}, and the structs passed by value as an int[] ({@code Layout} of
 * common.cuh, see {@link Layouts}; {@code View2}, {@code View3}, {@code View4}). They are parsed once, when the class
 * loads.
 */
final class KernelTable {
    private KernelTable() {}

    /** Every entry, in declaration order; a kernel's {@link Kernel#id} is its index here. Declared first: see kernel(). */
    private static final List<Kernel> ALL = new ArrayList<>();

    // ------------------------------------------------------------------ elementwise.cu

    /** Float32 operands packed from offset 0, four elements a thread. */
    static final Kernel UNARY_VEC4 = kernel("elementwise", "unary_vec4_f32",
            "ptr y, ptr x, long n, int op, double p0, double p1");
    static final Kernel BINARY_VEC4 = kernel("elementwise", "binary_vec4_f32", "ptr z, ptr a, ptr b, long n, int op");
    static final PerDType UNARY = floats("elementwise", "unary",
            "ptr y, ptr x, Layout lx, long n, int op, double p0, double p1");
    static final PerDType BINARY = floats("elementwise", "binary",
            "ptr z, ptr a, Layout la, ptr b, Layout lb, long n, int op");
    static final PerDType SCALE = floats("elementwise", "scale", "ptr y, Layout ly, long n, double f");
    static final PerDType DROPOUT = floats("elementwise", "dropout",
            "ptr y, ptr x, Layout lx, long n, double p, long seed, long offset");
    static final PerDType ADAMW = floats("elementwise", "adamw", "ptr p, ptr g, ptr m, ptr v, long n, double decay, "
            + "double beta1, double beta2, double bc2Sqrt, double eps, double stepSize");
    static final PerDType COMPARE = all("elementwise", "compare",
            "ptr z, ptr a, Layout la, ptr b, Layout lb, long n, int op");
    static final PerDType WHERE = all("elementwise", "where",
            "ptr z, ptr c, Layout lc, ptr a, Layout la, ptr b, Layout lb, long n");
    static final PerDType FILL = all("elementwise", "fill", "ptr y, Layout ly, long n, double v");
    /** copy_SRC_DST for every pair of dtypes. */
    static final Copy COPY = new Copy("elementwise", "copy", "ptr y, Layout ly, ptr x, Layout lx, long n");

    // ------------------------------------------------------------------ reduce.cu, indexing.cu

    static final PerDType REDUCE_ROWS = floats("reduce", "reduce_rows", "ptr y, ptr x, int rows, int n, int op");
    static final PerDType ARGREDUCE_ROWS = floats("reduce", "argreduce_rows", "ptr y, ptr x, int rows, int n, int op");
    static final PerDType REDUCE_COLUMNS = floats("reduce", "reduce_columns",
            "ptr y, ptr x, int outer, int n, int inner, int op");
    static final PerDType ARGREDUCE_COLUMNS = floats("reduce", "argreduce_columns",
            "ptr y, ptr x, int outer, int n, int inner, int op");
    static final PerDType CUMSUM = all("indexing", "cumsum", "ptr y, ptr x, int outer, int n, int inner, int reverse");
    static final PerDType ARGSORT = all("indexing", "argsort", "ptr out, ptr x, int rows, int n, int descending");
    static final PerDType GATHER = all("indexing", "gather",
            "ptr y, ptr a, Layout la, int step, int limit, ptr idx, Layout li, long n, ptr bad");
    static final PerDType SCATTER_ADD = floats("indexing", "scatter_add",
            "ptr out, Layout lo, int step, int limit, ptr idx, Layout li, ptr src, Layout ls, long n, ptr bad");

    // ------------------------------------------------------------------ normalization.cu, gru.cu, attention.cu

    static final PerDType SOFTMAX = floats("normalization", "softmax", "ptr y, ptr x, int rows, int n, int logMode");
    static final PerDType SOFTMAX_BACKWARD = floats("normalization", "softmax_backward",
            "ptr dx, ptr y, ptr g, int rows, int n, int logMode");
    static final PerDType LAYER_NORM = floats("normalization", "layer_norm",
            "ptr y, ptr mean, ptr rstd, ptr x, ptr gamma, ptr beta, int rows, int n, double eps");
    static final PerDType LAYER_NORM_BACKWARD_INPUT = floats("normalization", "layer_norm_backward_input",
            "ptr dx, ptr g, ptr x, ptr gamma, ptr mean, ptr rstd, int rows, int n");
    static final PerDType LAYER_NORM_BACKWARD_PARAMS_PARTIAL = floats("normalization", "layer_norm_backward_params_partial",
            "ptr partial, ptr g, ptr x, ptr mean, ptr rstd, int rows, int n, int rowsPerChunk");
    static final PerDType LAYER_NORM_BACKWARD_PARAMS = floats("normalization", "layer_norm_backward_params",
            "ptr dgamma, ptr dbeta, ptr partial, int chunks, int n");
    static final PerDType GRU_GATES = floats("gru", "gru_gates",
            "ptr hOut, ptr r, ptr z, ptr n, ptr gi, View2 vgi, ptr gh, View2 vgh, ptr h, View2 vh, int rows, int hidden");
    static final PerDType GRU_GATES_BACKWARD = floats("gru", "gru_gates_backward", "ptr dgi, ptr dgh, ptr dhz, "
            + "ptr carry, View2 vcarry, ptr viaHidden, View2 vhidden, ptr out, View2 vout, ptr h, View2 vh, "
            + "ptr r, ptr z, ptr n, ptr ghn, View2 vghn, int rows, int hidden");
    static final PerDType ATTENTION_FORWARD = floats("attention", "attention_forward", "ptr out, ptr probs, "
            + "ptr q, View3 vq, ptr k, View3 vk, ptr v, View3 vv, ptr? mask, View4 vm, "
            + "int heads, int lq, int lk, int d, int dv, double p, long seed, long offset");
    static final PerDType ATTENTION_BACKWARD_Q = floats("attention", "attention_backward_q", "ptr dq, ptr ds, ptr go, "
            + "ptr probs, ptr k, View3 vk, ptr v, View3 vv, int lq, int lk, int d, int dv, double p, long seed, long offset");
    static final PerDType ATTENTION_BACKWARD_KV = floats("attention", "attention_backward_kv", "ptr dk, ptr dvv, ptr go, "
            + "ptr probs, ptr ds, ptr q, View3 vq, int lq, int lk, int d, int dv, double p, long seed, long offset");

    // ------------------------------------------------------------------ losses.cu (element-wise ones: outputs, n, operands)

    static final PerDType BCE_WITH_LOGITS = floats("losses", "bce_with_logits",
            "ptr y, long n, ptr x, Layout lx, ptr t, Layout lt");
    static final PerDType BCE_WITH_LOGITS_BACKWARD = floats("losses", "bce_with_logits_backward",
            "ptr dx, ptr dt, long n, ptr g, Layout lg, ptr x, Layout lx, ptr t, Layout lt");
    static final PerDType SIGMOID_FOCAL = floats("losses", "sigmoid_focal",
            "ptr y, long n, ptr x, Layout lx, ptr t, Layout lt, double alpha, double gamma");
    static final PerDType SIGMOID_FOCAL_BACKWARD = floats("losses", "sigmoid_focal_backward",
            "ptr dx, long n, ptr g, Layout lg, ptr x, Layout lx, ptr t, Layout lt, double alpha, double gamma");
    static final PerDType L1 = floats("losses", "l1", "ptr y, long n, ptr a, Layout la, ptr b, Layout lb");
    static final PerDType L1_BACKWARD = floats("losses", "l1_backward",
            "ptr da, ptr db, long n, ptr g, Layout lg, ptr a, Layout la, ptr b, Layout lb");
    static final PerDType CROSS_ENTROPY = floats("losses", "cross_entropy",
            "ptr loss, ptr x, View2 vx, ptr target, int rows, int classes, ptr bad");
    static final PerDType CROSS_ENTROPY_BACKWARD = floats("losses", "cross_entropy_backward",
            "ptr dx, ptr g, Layout lg, ptr x, View2 vx, ptr target, int rows, int classes");
    static final PerDType TEMPORAL_GIOU = floats("losses", "temporal_giou",
            "ptr y, ptr a, View2 va, ptr b, View2 vb, int n, int m");
    static final PerDType TEMPORAL_GIOU_BACKWARD = floats("losses", "temporal_giou_backward",
            "ptr da, ptr db, ptr g, Layout lg, ptr a, View2 va, ptr b, View2 vb, int n, int m");

    // ------------------------------------------------------------------ gemm.cu, gemm_tf32.cu, gemm_tf32_NAME.cu

    static final PerDType GEMM = floats("gemm", "gemm",
            "ptr c, ptr a, ptr b, int m, int n, int k, int transA, int transB, long strideA, long strideB");
    private static final String TF32_SIGNATURE = "ptr c, ptr a, ptr b, int m, int n, int k, long strideA, long strideB, "
            + "int splits, int kPerSplit, int batch";
    /** The legacy TF32 kernel, gemm_tf32_{nn,nt,tn,tt}. */
    static final PerForm GEMM_TF32 = new PerForm("gemm_tf32", "gemm_tf32", TF32_SIGNATURE);
    /** Adds the split-K slices of any TF32 variant in order. */
    static final Kernel GEMM_TF32_REDUCE = kernel("gemm_tf32", "gemm_tf32_reduce", "ptr c, ptr partial, long count, int splits");
    /** The tensor-core ceiling, `bench gemm`'s reference. */
    static final Kernel MMA_TF32_PEAK = kernel("gemm_tf32", "mma_tf32_peak", "ptr out, int iters, float seed");
    /**
     * The cp.async pipelined TF32 variants by name, p{tile m}x{tile n}w{warp m}x{warp n}s{stages}: one module
     * gemm_tf32_NAME each, with kernels gemm_tf32_NAME_{nn,nt,tn,tt}.
     */
    static final Map<String, PerForm> GEMM_TF32_PIPELINED = pipelined(TF32_SIGNATURE + ", int vecA, int vecB",
            "p128x128w64x32s3", "p128x128w64x64s3", "p128x64w64x32s4", "p64x64w32x32s4", "p128x256w64x64s3");

    /** Every kernel of the table, in declaration order. */
    static List<Kernel> all() { return Collections.unmodifiableList(ALL); }

    /** The suffix of a dtype's kernel variant: NAME_f32, NAME_f64, NAME_i64, NAME_bool. */
    static String suffix(DType t) {
        return switch (t) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT64 -> "i64";
            case BOOL -> "bool";
        };
    }

    // ------------------------------------------------------------------ the entry types

    /**
     * How a parameter travels: the Java argument it takes, and the PTX parameter types a module may declare for it (nvcc
     * writes .u64 for pointers and both signed and unsigned long long, .u32 for int; the others are equally wide).
     */
    enum Kind {
        /** A {@link Tensor}'s or {@link CudaStorage}'s device address. */
        PTR("ptr", 0, ".u64", ".b64"),
        /** A pointer that may be null (no operand): travels as address 0. */
        NULLABLE_PTR("ptr?", 0, ".u64", ".b64"),
        LONG("long", 0, ".u64", ".s64", ".b64"),
        INT("int", 0, ".u32", ".s32", ".b32"),
        FLOAT("float", 0, ".f32"),
        DOUBLE("double", 0, ".f64"),
        /** Structs of ints by value: PTX declares them {@code .align 4 .b8 name[4·ints]}. */
        LAYOUT("Layout", 2 + 2 * Layouts.MAX_RANK, ".b8"),
        VIEW2("View2", 3, ".b8"),
        VIEW3("View3", 4, ".b8"),
        VIEW4("View4", 5, ".b8");

        final String word;
        /** For a struct, its length as an int[]; 0 for scalars and pointers. */
        final int ints;
        final List<String> ptxTypes;

        Kind(String word, int ints, String... ptxTypes) {
            this.word = word;
            this.ints = ints;
            this.ptxTypes = List.of(ptxTypes);
        }

        boolean isStruct() { return ints > 0; }

        /** Whether a Java argument is of this kind (a pointer's device is checked when it is passed). */
        boolean accepts(Object a) {
            return switch (this) {
                case PTR -> a instanceof Tensor || a instanceof CudaStorage;
                case NULLABLE_PTR -> a == null || a instanceof Tensor || a instanceof CudaStorage;
                case LONG -> a instanceof Long;
                case INT -> a instanceof Integer;
                case FLOAT -> a instanceof Float;
                case DOUBLE -> a instanceof Double;
                case LAYOUT, VIEW2, VIEW3, VIEW4 -> a instanceof int[] && ((int[]) a).length == ints;
            };
        }

        static Kind of(String word) {
            for (Kind k : values()) if (k.word.equals(word)) return k;
            throw new IllegalArgumentException("unknown kernel parameter type '" + word + "'");
        }
    }

    record Param(Kind kind, String name) {
        @Override public String toString() { return kind.word + " " + name; }
    }

    /** One PTX entry. */
    static final class Kernel {
        final int id;
        final String module, name;
        private final Param[] params;

        private Kernel(int id, String module, String name, String signature) {
            this.id = id;
            this.module = module;
            this.name = name;
            String[] parts = signature.split(",");
            this.params = new Param[parts.length];
            for (int i = 0; i < parts.length; i++) {
                String[] typeName = parts[i].trim().split("\\s+");
                if (typeName.length != 2) {
                    throw new IllegalArgumentException(name + ": parameter '" + parts[i].trim() + "' is not 'type name'");
                }
                params[i] = new Param(Kind.of(typeName[0]), typeName[1]);
            }
        }

        List<Param> params() { return List.of(params); }

        /** Throws IllegalArgumentException naming the kernel and parameter unless args fit the declared parameters. */
        void check(Object[] args) {
            if (args.length != params.length) {
                throw new IllegalArgumentException(name + " takes " + params.length + " arguments (" + signature() + "), got "
                        + args.length);
            }
            for (int i = 0; i < args.length; i++) {
                if (!params[i].kind().accepts(args[i])) {
                    Object a = args[i];
                    String got = a == null ? "null"
                            : a instanceof int[] ? "int[" + ((int[]) a).length + "]" : a.getClass().getSimpleName();
                    Kind k = params[i].kind();
                    throw new IllegalArgumentException(name + " argument " + i + " (" + params[i] + ") "
                            + (k.isStruct() ? "is an int[" + k.ints + "]" : "is a " + k.word) + ", got " + got);
                }
            }
        }

        String signature() {
            StringBuilder s = new StringBuilder();
            for (Param p : params) s.append(s.length() == 0 ? "" : ", ").append(p);
            return s.toString();
        }

        @Override public String toString() { return module + "/" + name; }
    }

    /** A kernel with one entry per dtype it takes, NAME_f32, NAME_f64 (and NAME_i64, NAME_bool). */
    static final class PerDType {
        private final String name;
        private final Kernel[] byDType = new Kernel[DType.values().length];

        private PerDType(String module, String name, String signature, DType... dtypes) {
            this.name = name;
            for (DType t : dtypes) byDType[t.ordinal()] = kernel(module, name + "_" + suffix(t), signature);
        }

        /**
         * The entry for dtype t; a dtype the kernel does not take is an IllegalArgumentException (a kernel that does not
         * take every dtype takes the float ones).
         */
        Kernel of(DType t) { return of(t, name); }

        /** As {@link #of(DType)}, with op naming the operation in the error. */
        Kernel of(DType t, String op) {
            Kernel k = byDType[t.ordinal()];
            if (k == null) throw new IllegalArgumentException(op + ": needs a float tensor, got " + t);
            return k;
        }
    }

    /** copy_SRC_DST: one entry per (source, destination) dtype pair. */
    static final class Copy {
        private final Kernel[][] bySrcDst = new Kernel[DType.values().length][DType.values().length];

        private Copy(String module, String name, String signature) {
            for (DType s : DType.values()) {
                for (DType d : DType.values()) {
                    bySrcDst[s.ordinal()][d.ordinal()] = kernel(module, name + "_" + suffix(s) + "_" + suffix(d), signature);
                }
            }
        }

        Kernel of(DType src, DType dst) { return bySrcDst[src.ordinal()][dst.ordinal()]; }
    }

    /** A matrix-product kernel with one entry per transpose form, NAME_nn, NAME_nt, NAME_tn, NAME_tt. */
    static final class PerForm {
        final String module;
        private final Kernel[] byForm = new Kernel[4];

        private PerForm(String module, String name, String signature) {
            this.module = module;
            for (int f = 0; f < 4; f++) {
                byForm[f] = kernel(module, name + "_" + ((f & 2) != 0 ? "t" : "n") + ((f & 1) != 0 ? "t" : "n"), signature);
            }
        }

        Kernel of(boolean transA, boolean transB) { return byForm[(transA ? 2 : 0) + (transB ? 1 : 0)]; }
    }

    // ------------------------------------------------------------------ declaring

    private static Kernel kernel(String module, String name, String signature) {
        Kernel k = new Kernel(ALL.size(), module, name, signature);
        ALL.add(k);
        return k;
    }

    private static PerDType floats(String module, String name, String signature) {
        return new PerDType(module, name, signature, DType.FLOAT32, DType.FLOAT64);
    }

    private static PerDType all(String module, String name, String signature) {
        return new PerDType(module, name, signature, DType.values());
    }

    private static Map<String, PerForm> pipelined(String signature, String... variants) {
        Map<String, PerForm> m = new LinkedHashMap<>();
        for (String v : variants) m.put(v, new PerForm("gemm_tf32_" + v, "gemm_tf32_" + v, signature));
        return Collections.unmodifiableMap(m);
    }
}
