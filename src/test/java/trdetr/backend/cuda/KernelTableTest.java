package trdetr.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import trdetr.backend.cuda.KernelTable.Kernel;
import trdetr.backend.cuda.KernelTable.Kind;
import trdetr.backend.cuda.KernelTable.Param;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * {@link KernelTable} against the committed PTX, as the jar ships it (/kernels/MODULE.ptx), with no GPU and no JCuda
 * natives: every kernel the Java code launches exists as an {@code .entry} of its module, with as many parameters as
 * the table declares and each of a PTX type its kind travels as. So a kernel renamed or re-typed in kernels/*.cu (and
 * its PTX rebuilt) fails here, not on a GPU. The launch side, that the Java arguments fit the table, is
 * {@link Kernel#check}, tested below too.
 *
 * <p>PTX declares a pointer and a long long alike (.u64), so where a C preprocessor is installed the table is also
 * held to the CUDA prototypes themselves (kernels/*.cu, macros expanded): every parameter's kind and name.
 */
class KernelTableTest {
    /** One PTX parameter: {@code .param [.align A] .TYPE NAME[[BYTES]]}; align and bytes 0 where absent. */
    record PtxParam(String type, int align, int bytes) {
        @Override public String toString() {
            return (align > 0 ? ".align " + align + " " : "") + type + (bytes > 0 ? "[" + bytes + "]" : "");
        }
    }

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(?:\\.align\\s+(\\d+)\\s+)?(\\.\\w+)\\s+\\w+(?:\\[(\\d+)\\])?");

    /** The entries of a PTX module and their parameters, in order. */
    static Map<String, List<PtxParam>> entries(String ptx) {
        Map<String, List<PtxParam>> entries = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(ptx);
        while (e.find()) {
            List<PtxParam> params = new ArrayList<>();
            for (String p : e.group(2).split(",")) {
                if (p.isBlank()) continue;
                Matcher m = PARAM.matcher(p.trim());
                if (!m.matches()) throw new IllegalStateException(e.group(1) + ": unreadable PTX parameter '" + p.trim() + "'");
                params.add(new PtxParam(m.group(2), m.group(1) == null ? 0 : Integer.parseInt(m.group(1)),
                        m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
            }
            entries.put(e.group(1), params);
        }
        return entries;
    }

    /** What is wrong with one kernel's declaration against its module's entries; empty when nothing is. */
    static List<String> problems(Kernel k, Map<String, List<PtxParam>> moduleEntries) {
        List<String> problems = new ArrayList<>();
        List<PtxParam> ptx = moduleEntries.get(k.name);
        if (ptx == null) {
            problems.add(k + ": no .entry " + k.name + " in " + k.module + ".ptx");
            return problems;
        }
        List<Param> declared = k.params();
        if (ptx.size() != declared.size()) {
            problems.add(k + ": the PTX has " + ptx.size() + " parameters " + ptx + ", the table " + declared.size()
                    + " (" + k.signature() + ")");
            return problems;
        }
        for (int i = 0; i < ptx.size(); i++) {
            Param d = declared.get(i);
            PtxParam p = ptx.get(i);
            boolean fits = d.kind().ptxTypes.contains(p.type())
                    && (d.kind().isStruct() ? p.bytes() == 4 * d.kind().ints && p.align() == 4 : p.bytes() == 0);
            if (!fits) problems.add(k + ": parameter " + i + " (" + d + ") is " + p + " in the PTX");
        }
        return problems;
    }

    /** Every problem of the table against modules (name → PTX text). */
    static List<String> problems(Map<String, String> modules) {
        Map<String, Map<String, List<PtxParam>>> parsed = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Kernel k : KernelTable.all()) {
            String ptx = modules.get(k.module);
            if (ptx == null) {
                problems.add(k + ": no module " + k.module + ".ptx");
                continue;
            }
            problems.addAll(problems(k, parsed.computeIfAbsent(k.module, m -> entries(ptx))));
        }
        return problems;
    }

    /** The PTX of every module the table names, from the classpath as the jar has it. */
    private static Map<String, String> shippedModules() {
        Map<String, String> modules = new LinkedHashMap<>();
        for (Kernel k : KernelTable.all()) modules.computeIfAbsent(k.module, Kernels::ptx);
        return modules;
    }

    @Test void everyKernelOfTheTableIsAnEntryOfItsModuleWithTheDeclaredParameters() {
        assertThat(problems(shippedModules())).isEmpty();
        assertThat(KernelTable.all()).hasSizeGreaterThan(100);
    }

    /** {@code extern "C" __global__ void [__launch_bounds__(...)] NAME(params)}, after the preprocessor. */
    private static final Pattern PROTOTYPE = Pattern.compile(
            "extern\\s+\"C\"\\s+__global__\\s+void\\s+(?:__launch_bounds__\\s*\\((?:[^()]|\\([^()]*\\))*\\)\\s*)?(\\w+)\\s*\\(([^)]*)\\)");

    /** A CUDA parameter declaration ("const T* x", "long long n", "Layout lx") as the table writes it ("ptr x", ...). */
    static String asTableParam(String declaration) {
        String d = declaration.trim().replaceAll("\\s+", " ");
        int cut = d.lastIndexOf(' ');
        String type = d.substring(0, cut).replace("const ", "").replace("unsigned ", ""), name = d.substring(cut + 1);
        String kind = type.endsWith("*") ? "ptr" : type.equals("long long") ? "long" : type;
        return kind + " " + name;
    }

    @Test void everyKernelOfTheTableHasTheParametersOfItsCudaPrototype() throws IOException, InterruptedException {
        Path dir = Path.of("kernels");
        assumeTrue(Files.isDirectory(dir), "run from the repository root, where kernels/ is");
        Map<String, String> prototypes = new LinkedHashMap<>();   // name -> "ptr y, ptr x, ..."
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".cu")).sorted()::iterator) {
                String text = preprocessed(f);
                assumeTrue(text != null, "no C preprocessor (cpp) on this machine");
                Matcher m = PROTOTYPE.matcher(text);
                while (m.find()) {
                    List<String> params = new ArrayList<>();
                    for (String p : m.group(2).split(",")) params.add(asTableParam(p));
                    prototypes.put(m.group(1), String.join(", ", params));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (Kernel k : KernelTable.all()) {
            String cuda = prototypes.get(k.name), table = k.signature().replace("ptr? ", "ptr ");
            if (cuda == null) problems.add(k + ": no __global__ " + k.name + " in kernels/*.cu");
            else if (!cuda.equals(table)) problems.add(k + ": CUDA (" + cuda + "), table (" + table + ")");
        }
        assertThat(problems).isEmpty();
    }

    /** A .cu file through the C preprocessor (macros expanded, no line markers); null when there is none. */
    private static String preprocessed(Path cu) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("cpp", "-x", "c++", "-P", cu.getFileName().toString()).directory(cu.getParent().toFile())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("cpp %s:%n%s", cu, out).isZero();
        return out;
    }

    @Test void everyEntryOfTheCommittedPtxIsInTheTable() throws IOException {
        Path dir = Path.of("kernels/ptx");
        assumeTrue(Files.isDirectory(dir), "run from the repository root, where kernels/ptx is");
        TreeSet<String> declared = new TreeSet<>(), unlisted = new TreeSet<>();
        for (Kernel k : KernelTable.all()) declared.add(k.module + "/" + k.name);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".ptx")).sorted()::iterator) {
                String module = f.getFileName().toString().replace(".ptx", "");
                for (String entry : entries(Files.readString(f)).keySet()) {
                    if (!declared.contains(module + "/" + entry)) unlisted.add(module + "/" + entry);
                }
            }
        }
        assertThat(unlisted).as("PTX entries no table entry names: add them to KernelTable, or drop the dead kernels").isEmpty();
    }

    /** A renamed kernel: rename one entry of each module in memory; the check names exactly that kernel. */
    @Test void aRenamedKernelIsReported() {
        Map<String, String> shipped = shippedModules();
        Map<String, Kernel> firstOfModule = new LinkedHashMap<>();
        for (Kernel k : KernelTable.all()) firstOfModule.putIfAbsent(k.module, k);
        for (Kernel k : firstOfModule.values()) {
            Map<String, String> modules = new LinkedHashMap<>(shipped);
            String ptx = modules.get(k.module);
            assertThat(ptx).contains(".entry " + k.name + "(");
            modules.put(k.module, ptx.replace(".entry " + k.name + "(", ".entry " + k.name + "_renamed("));
            assertThat(problems(modules)).as(k.toString()).containsExactly(k + ": no .entry " + k.name + " in " + k.module + ".ptx");
        }
    }

    /** A parameter added, dropped or re-typed on the CUDA side is reported, structs by their size. */
    @Test void aChangedParameterListIsReported() {
        Kernel gemm = KernelTable.GEMM.of(DType.FLOAT32), fill = KernelTable.FILL.of(DType.FLOAT64);
        String gemmPtx = Kernels.ptx("gemm"), elementwise = Kernels.ptx("elementwise");
        // gemm_f32(..., long long strideA, long long strideB): strideB made an int, then dropped.
        assertThat(problems(gemm, entries(gemmPtx.replace(".param .u64 gemm_f32_param_9", ".param .u32 gemm_f32_param_9"))))
                .containsExactly("gemm/gemm_f32: parameter 9 (long strideB) is .u32 in the PTX");
        assertThat(problems(gemm, entries(gemmPtx.replace(",\n\t.param .u64 gemm_f32_param_9", ""))))
                .singleElement().asString().startsWith("gemm/gemm_f32: the PTX has 9 parameters");
        // fill_f64(T* y, Layout ly, long long n, double v): a Layout of rank 7 would be 64 bytes; v a float.
        assertThat(problems(fill, entries(elementwise.replace("fill_f64_param_1[72]", "fill_f64_param_1[64]")
                .replace(".param .f64 fill_f64_param_3", ".param .f32 fill_f64_param_3"))))
                .containsExactly("elementwise/fill_f64: parameter 1 (Layout ly) is .align 4 .b8[64] in the PTX",
                        "elementwise/fill_f64: parameter 3 (double v) is .f32 in the PTX");
    }

    @Test void dtypeVariantsAreNamedAsInThePtx() {
        assertThat(KernelTable.UNARY.of(DType.FLOAT64).name).isEqualTo("unary_f64");
        assertThat(KernelTable.COPY.of(DType.BOOL, DType.FLOAT32).name).isEqualTo("copy_bool_f32");
        assertThat(KernelTable.GEMM_TF32.of(true, false).name).isEqualTo("gemm_tf32_tn");
        assertThat(KernelTable.GEMM_TF32_PIPELINED.get("p64x64w32x32s4").of(false, true).name).isEqualTo("gemm_tf32_p64x64w32x32s4_nt");
        assertThat(KernelTable.GEMM_TF32_PIPELINED.get("p64x64w32x32s4").module).isEqualTo("gemm_tf32_p64x64w32x32s4");
        assertThatThrownBy(() -> KernelTable.UNARY.of(DType.INT64, "relu")).hasMessage("relu: needs a float tensor, got int64");
        assertThatThrownBy(() -> KernelTable.SOFTMAX.of(DType.BOOL)).hasMessage("softmax: needs a float tensor, got bool");
    }

    /** The launch-side check: a Java argument of the wrong kind, or too few, is an exception naming the parameter. */
    @Test void argumentsAreCheckedAgainstTheDeclaredKinds() {
        Kernel unary = KernelTable.UNARY.of(DType.FLOAT32);
        Tensor t = Tensor.zeros(DType.FLOAT32, 4);
        int[] layout = new int[2 + 2 * Layouts.MAX_RANK];
        unary.check(new Object[] {t, t, layout, 4L, 0, 0.0, 0.0});   // fits
        assertThatThrownBy(() -> unary.check(new Object[] {t, t, layout, 4, 0, 0.0, 0.0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unary_f32 argument 3 (long n) is a long, got Integer");
        assertThatThrownBy(() -> unary.check(new Object[] {t, t, new int[3], 4L, 0, 0.0, 0.0}))
                .hasMessage("unary_f32 argument 2 (Layout lx) is an int[18], got int[3]");
        assertThatThrownBy(() -> unary.check(new Object[] {t, t, layout, 4L, 0, 0.0}))
                .hasMessageStartingWith("unary_f32 takes 7 arguments (ptr y, ptr x, Layout lx, long n, int op, double p0, double p1), got 6");
        assertThatThrownBy(() -> unary.check(new Object[] {null, t, layout, 4L, 0, 0.0, 0.0}))
                .hasMessage("unary_f32 argument 0 (ptr y) is a ptr, got null");
        assertThatThrownBy(() -> KernelTable.MMA_TF32_PEAK.check(new Object[] {t, 4096, 1.0}))
                .hasMessage("mma_tf32_peak argument 2 (float seed) is a float, got Double");
        // attention's mask is the one parameter that may be none
        Kernel attention = KernelTable.ATTENTION_FORWARD.of(DType.FLOAT32);
        assertThat(attention.params().get(8)).isEqualTo(new Param(Kind.NULLABLE_PTR, "mask"));
        attention.check(new Object[] {t, t, t, new int[4], t, new int[4], t, new int[4], null, new int[5], 1, 1, 1, 1, 1, 0.0, 0L, 0L});
    }
}
