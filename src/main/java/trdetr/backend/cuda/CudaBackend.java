package trdetr.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8;
import static trdetr.backend.cuda.KernelTable.*;

import java.util.Arrays;
import jcuda.Pointer;
import trdetr.backend.AxisSplit;
import trdetr.backend.Backend;
import trdetr.backend.BinaryOp;
import trdetr.backend.MemoryScope;
import trdetr.backend.ReduceOp;
import trdetr.backend.UnaryOp;
import trdetr.tensor.DType;
import trdetr.tensor.Shape;
import trdetr.tensor.Storage;
import trdetr.tensor.Tensor;

/**
 * The CUDA backend: the {@link Backend} contract on device memory, with our own kernels (kernels/*.cu, shipped as
 * PTX). Every method launches on the default stream and returns without waiting; a host copy (download, an index
 * check) waits for the work before it. Float32 element-wise math goes through double as on the CPU, so the two
 * backends agree to rounding; the kernels' file comments say where they may differ (atomic sums, GEMM order).
 */
public final class CudaBackend implements Backend {
    private static volatile CudaBackend instance;

    final CudaDevice device;
    final DeviceAllocator allocator = new DeviceAllocator();
    final Kernels kernels = new Kernels();
    private final CudaGemm gemm;
    private final CudaAttention attention;
    private final CudaLosses losses;
    /** Fill freshly allocated outputs with NaN bytes before kernels write them, so an unwritten element shows. */
    private volatile boolean poison;

    private CudaBackend(CudaDevice device) {
        this.device = device;
        this.gemm = new CudaGemm(this);
        this.attention = new CudaAttention(this);
        this.losses = new CudaLosses(this);
    }

    /** The backend for GPU 0; throws {@link IllegalStateException} with one line when there is no usable GPU. */
    public static CudaBackend get() {
        CudaBackend b = instance;
        if (b != null) return b;
        synchronized (CudaBackend.class) {
            if (instance == null) instance = new CudaBackend(CudaDevice.get());
            return instance;
        }
    }

    public static boolean isAvailable() { return CudaDevice.isAvailable(); }

    public CudaDevice device() { return device; }

    public CudaGemm gemm() { return gemm; }

    public void setPoison(boolean on) { poison = on; }

    public long bytesInUse() { return allocator.bytesInUse(); }

    public long bytesCached() { return allocator.bytesCached(); }

    public long peakBytesInUse() { return allocator.peakBytesInUse(); }

    public long deviceAllocations() { return allocator.deviceAllocations(); }

    public void resetPeak() { allocator.resetPeak(); }

    @Override public String name() { return "cuda"; }

    @Override public MemoryScope openScope() { return CudaScope.open(); }

    @Override public void synchronize() { device.synchronize(); }

    // ------------------------------------------------------------------ memory

    private CudaStorage raw(DType dtype, int size) {
        device.makeCurrent();
        return new CudaStorage(this, allocator, dtype, size);
    }

    /** An output buffer the caller fully writes (NaN-poisoned in checking mode). */
    Tensor empty(DType dtype, int... shape) {
        CudaStorage s = raw(dtype, Shape.numel(shape));
        if (poison) cuMemsetD8(s.pointer(), (byte) 0xff, s.bytes());
        return Tensor.wrap(s, shape);
    }

    @Override public Storage allocate(DType dtype, int size) {
        CudaStorage s = raw(dtype, size);
        cuMemsetD8(s.pointer(), (byte) 0, s.bytes());
        return s;
    }

    /** A copy of a host array on the device; BOOL travels as one byte per element (the kernels' {@code boolean}). */
    @Override public Storage upload(Object host) {
        CudaStorage s = raw(DType.ofHostArray(host), java.lang.reflect.Array.getLength(host));
        if (s.size() > 0) cuMemcpyHtoD(s.pointer(), hostPointer(host instanceof boolean[] ? bytes((boolean[]) host) : host), s.bytes());
        return s;
    }

    /** Whether t is contiguous from offset 0 over its whole storage (kernels may then read the storage as is). */
    private static boolean isPacked(Tensor t) {
        return t.isContiguous() && t.offset() == 0 && t.storage().size() == t.numel();
    }

    /** t itself when it {@link #isPacked is packed}, else a packed copy. */
    Tensor packed(Tensor t) {
        if (isPacked(t)) return t;
        Tensor out = empty(t.dtype(), t.shape());
        copy(out, t);
        return out;
    }

    @Override public Object download(Tensor t) {
        Tensor p = packed(t);
        CudaStorage s = (CudaStorage) p.storage();
        int n = p.numel();
        Object host;
        switch (t.dtype()) {
            case FLOAT32: host = new float[n]; break;
            case FLOAT64: host = new double[n]; break;
            case INT64: host = new long[n]; break;
            default: host = new byte[n];
        }
        if (n > 0) cuMemcpyDtoH(hostPointer(host), s.pointer(), s.bytes());
        return host instanceof byte[] ? booleans((byte[]) host) : host;
    }

    private static Pointer hostPointer(Object array) {
        if (array instanceof float[]) return Pointer.to((float[]) array);
        if (array instanceof double[]) return Pointer.to((double[]) array);
        if (array instanceof long[]) return Pointer.to((long[]) array);
        return Pointer.to((byte[]) array);
    }

    private static byte[] bytes(boolean[] a) {
        byte[] b = new byte[a.length];
        for (int i = 0; i < a.length; i++) b[i] = (byte) (a[i] ? 1 : 0);
        return b;
    }

    private static boolean[] booleans(byte[] b) {
        boolean[] a = new boolean[b.length];
        for (int i = 0; i < b.length; i++) a[i] = b[i] != 0;
        return a;
    }

    // ------------------------------------------------------------------ copies and element-wise

    /**
     * Whether a float32 operand can take the float4 kernels: contiguous from offset 0 (the kernels read from the
     * storage base, which cuMemAlloc aligns to 256 bytes) and with its whole storage as its elements.
     */
    private static boolean vectorisable(Tensor t) {
        return t.dtype() == DType.FLOAT32 && isPacked(t);
    }

    @Override public void copy(Tensor dst, Tensor src) {
        if (!Arrays.equals(dst.shape(), src.shape())) {
            throw new IllegalArgumentException("copy: shapes " + Shape.str(dst.shape()) + " and " + Shape.str(src.shape()));
        }
        long n = dst.numel();
        if (n == 0) return;
        kernels.launch(COPY.of(src.dtype(), dst.dtype()), Kernels.gridFor(n),
                dst, Layouts.of(dst), src, Layouts.of(src), n);
    }

    @Override public void fill(Tensor dst, double value) {
        long n = dst.numel();
        if (n == 0) return;
        kernels.launch(FILL.of(dst.dtype()), Kernels.gridFor(n), dst, Layouts.of(dst), n, value);
    }

    @Override public Tensor unary(UnaryOp op, Tensor a, double p0, double p1) {
        Kernel strided = UNARY.of(a.dtype(), op.name().toLowerCase());
        Tensor out = empty(a.dtype(), a.shape());
        long n = a.numel();
        if (n == 0) return out;
        if (vectorisable(a)) {
            kernels.launch(UNARY_VEC4, Kernels.gridFor((n + 3) / 4), out, a, n, op.ordinal(), p0, p1);
        } else {
            kernels.launch(strided, Kernels.gridFor(n), out, a, Layouts.of(a), n, op.ordinal(), p0, p1);
        }
        return out;
    }

    @Override public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        boolean predicate = op.isComparison() || op.isLogical();
        Kernel strided = predicate ? COMPARE.of(a.dtype()) : BINARY.of(a.dtype(), op.name().toLowerCase());
        Tensor out = empty(predicate ? DType.BOOL : a.dtype(), a.shape());
        long n = a.numel();
        if (n == 0) return out;
        if (!predicate && vectorisable(a) && vectorisable(b)) {
            kernels.launch(BINARY_VEC4, Kernels.gridFor((n + 3) / 4), out, a, b, n, op.ordinal());
        } else {
            kernels.launch(strided, Kernels.gridFor(n),
                    out, a, Layouts.of(a), b, Layouts.of(b), n, op.ordinal());
        }
        return out;
    }

    @Override public Tensor where(Tensor cond, Tensor a, Tensor b) {
        Tensor out = empty(a.dtype(), a.shape());
        long n = a.numel();
        if (n > 0) {
            kernels.launch(WHERE.of(a.dtype()), Kernels.gridFor(n),
                    out, cond, Layouts.of(cond), a, Layouts.of(a), b, Layouts.of(b), n);
        }
        return out;
    }

    @Override public Tensor dropout(Tensor x, double p, long seed, long offset) {
        Kernel kernel = DROPOUT.of(x.dtype());
        Tensor out = empty(x.dtype(), x.shape());
        long n = x.numel();
        if (n > 0) kernels.launch(kernel, Kernels.gridFor(n), out, x, Layouts.of(x), n, p, seed, offset);
        return out;
    }

    @Override public void scaleInPlace(Tensor dst, double factor) {
        Kernel kernel = SCALE.of(dst.dtype());
        long n = dst.numel();
        if (n > 0) kernels.launch(kernel, Kernels.gridFor(n), dst, Layouts.of(dst), n, factor);
    }

    @Override public void adamWStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1,
                                    double beta2, double eps, double weightDecay, long step) {
        Kernel kernel = ADAMW.of(param.dtype());
        Tensor g = packed(grad.dtype() == param.dtype() ? grad : grad.to(param.dtype()));
        for (Tensor s : new Tensor[] {param, expAvg, expAvgSq}) {
            if (!s.isContiguous() || s.offset() != 0) throw new IllegalArgumentException("adamw: state tensors must be contiguous");
        }
        double bc1 = 1 - Math.pow(beta1, step), bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        long n = param.numel();
        if (n > 0) {
            kernels.launch(kernel, Kernels.gridFor(n), param, g, expAvg, expAvgSq, n,
                    1 - lr * weightDecay, beta1, beta2, bc2Sqrt, eps, lr / bc1);
        }
    }

    // ------------------------------------------------------------------ reductions

    @Override public Tensor reduce(ReduceOp op, Tensor a, int axis) {
        AxisSplit split = AxisSplit.forReduction(op, a.shape(), axis);
        int n = split.n(), outer = split.outer(), inner = split.inner();
        int[] outShape = split.reducedShape();
        boolean arg = op.isArg();
        Tensor x = packed(a.dtype().isFloating() ? a : a.to(DType.FLOAT64));
        Tensor out = empty(arg ? DType.INT64 : x.dtype(), outShape);
        int outputs = outer * inner;
        if (outputs == 0) return out;
        if (n == 0) { fill(out, 0); return out; }
        if (inner == 1) {
            kernels.launchRows((arg ? ARGREDUCE_ROWS : REDUCE_ROWS).of(x.dtype()), outputs, out, x, outputs, n, op.ordinal());
        } else {
            kernels.launch((arg ? ARGREDUCE_COLUMNS : REDUCE_COLUMNS).of(x.dtype()), Kernels.gridFor(outputs),
                    out, x, outer, n, inner, op.ordinal());
        }
        return out;
    }

    @Override public Tensor cumsum(Tensor a, int axis, boolean reverse) {
        Tensor x = packed(a);
        Tensor out = empty(a.dtype(), a.shape());
        AxisSplit split = AxisSplit.of(a.shape(), axis);
        int n = split.n(), outer = split.outer(), inner = split.inner();
        if (out.numel() > 0) {
            kernels.launch(CUMSUM.of(a.dtype()), Kernels.gridFor((long) outer * inner), out, x, outer, n, inner, reverse ? 1 : 0);
        }
        return out;
    }

    @Override public Tensor argsort(Tensor a, boolean descending) {
        Tensor x = packed(a.dtype().isFloating() ? a : a.to(DType.FLOAT64));
        int n = a.size(-1), rows = n == 0 ? 0 : a.numel() / n;
        Tensor out = empty(DType.INT64, a.shape());
        if (rows > 0) kernels.launch(ARGSORT.of(x.dtype()), Kernels.gridFor((long) rows * n), out, x, rows, n, descending ? 1 : 0);
        return out;
    }

    // ------------------------------------------------------------------ matrix products, softmax, layer norm

    @Override public Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        return gemm.matmul(packed(a), packed(b), transA, transB);
    }

    private static int rows(Tensor x) { int n = x.size(-1); return n == 0 ? 0 : x.numel() / n; }

    @Override public Tensor softmax(Tensor x, boolean log) {
        Kernel kernel = SOFTMAX.of(x.dtype());
        Tensor in = packed(x);
        Tensor out = empty(x.dtype(), x.shape());
        int rows = rows(x);
        if (rows > 0) kernels.launchRows(kernel, rows, out, in, rows, x.size(-1), log ? 1 : 0);
        return out;
    }

    @Override public Tensor softmaxBackward(Tensor y, Tensor gy, boolean log) {
        Kernel kernel = SOFTMAX_BACKWARD.of(y.dtype());
        Tensor py = packed(y), pg = packed(gy);
        Tensor out = empty(y.dtype(), y.shape());
        int rows = rows(y);
        if (rows > 0) kernels.launchRows(kernel, rows, out, py, pg, rows, y.size(-1), log ? 1 : 0);
        return out;
    }

    @Override public AttentionResult attention(Tensor q, Tensor k, Tensor v, Tensor mask, double p, long seed, long offset) {
        if (!CudaAttention.supports(q, k, v)) return Backend.super.attention(q, k, v, mask, p, seed, offset);
        return attention.forward(q, k, v, mask, p, seed, offset);
    }

    @Override public AttentionGrads attentionBackward(Tensor gradOutput, Tensor q, Tensor k, Tensor v, Tensor probs, double p,
                                                long seed, long offset) {
        if (!CudaAttention.supports(q, k, v)) return Backend.super.attentionBackward(gradOutput, q, k, v, probs, p, seed, offset);
        return attention.backward(gradOutput, q, k, v, probs, p, seed, offset);
    }

    /** {offset, s0, s1}: the View2 struct of common.cuh. */
    static int[] view2(Tensor t) { return new int[] {t.offset(), t.stride(0), t.stride(1)}; }

    @Override public GruStep gruGates(Tensor gi, Tensor gh, Tensor h) {
        Kernel kernel = GRU_GATES.of(h.dtype());
        int rows = h.size(0), hidden = h.size(1);
        Tensor hOut = empty(h.dtype(), rows, hidden), r = empty(h.dtype(), rows, hidden);
        Tensor z = empty(h.dtype(), rows, hidden), n = empty(h.dtype(), rows, hidden);
        long count = (long) rows * hidden;
        if (count > 0) {
            kernels.launch(kernel, Kernels.gridFor(count), hOut, r, z, n, gi, view2(gi), gh, view2(gh), h, view2(h),
                    rows, hidden);
        }
        return new GruStep(hOut, r, z, n);
    }

    @Override public GruStepGrads gruGatesBackward(Tensor dhCarry, Tensor dhHidden, Tensor dOut, Tensor h, Tensor r, Tensor z, Tensor n,
                                               Tensor ghn) {
        Kernel kernel = GRU_GATES_BACKWARD.of(h.dtype());
        int rows = h.size(0), hidden = h.size(1);
        Tensor dgi = empty(h.dtype(), rows, 3 * hidden), dgh = empty(h.dtype(), rows, 3 * hidden), dhz = empty(h.dtype(), rows, hidden);
        long count = (long) rows * hidden;
        if (count > 0) {
            kernels.launch(kernel, Kernels.gridFor(count), dgi, dgh, dhz, dhCarry, view2(dhCarry), dhHidden,
                    view2(dhHidden), dOut, view2(dOut), h, view2(h),
                    packed(r), packed(z), packed(n), ghn, view2(ghn), rows, hidden);
        }
        return new GruStepGrads(dgi, dgh, dhz);
    }

    @Override public LayerNormResult layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        Kernel kernel = LAYER_NORM.of(x.dtype());
        Tensor in = packed(x), g = packed(gamma.to(x.dtype())), b = packed(beta.to(x.dtype()));
        int n = x.size(-1), rows = rows(x);
        int[] statShape = Arrays.copyOf(x.shape(), x.rank() - 1);
        Tensor y = empty(x.dtype(), x.shape()), mean = empty(x.dtype(), statShape), rstd = empty(x.dtype(), statShape);
        if (rows > 0) kernels.launchRows(kernel, rows, y, mean, rstd, in, g, b, rows, n, eps);
        return new LayerNormResult(y, mean, rstd);
    }

    @Override public LayerNormGrads layerNormBackward(Tensor gy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd) {
        Kernel kernel = LAYER_NORM_BACKWARD_INPUT.of(x.dtype());
        Tensor pg = packed(gy), px = packed(x), gam = packed(gamma.to(x.dtype())), pm = packed(mean), pr = packed(rstd);
        int n = x.size(-1), rows = rows(x);
        Tensor dx = empty(x.dtype(), x.shape()), dgamma = empty(x.dtype(), n), dbeta = empty(x.dtype(), n);
        if (rows > 0) kernels.launchRows(kernel, rows, dx, pg, px, gam, pm, pr, rows, n);
        if (n > 0) layerNormParamGradients(x.dtype(), dgamma, dbeta, pg, px, pm, pr, rows, n);
        return new LayerNormGrads(dx, dgamma, dbeta);
    }

    /** The block shape of layer_norm_backward_params_partial (PARAM_COLS × PARAM_LANES in normalization.cu). */
    private static final int PARAM_COLS = 32, PARAM_LANES = 8;

    /**
     * dgamma and dbeta in normalization.cu's two passes: row chunks of at least 64 rows (8 per thread), at most 1024
     * chunks, so a pass-2 thread adds few partial sums. The chunking depends on the shape only: the result is the
     * same on every GPU and every run.
     */
    private void layerNormParamGradients(DType dtype, Tensor dgamma, Tensor dbeta, Tensor g, Tensor x, Tensor mean, Tensor rstd,
                                         int rows, int n) {
        int rowsPerChunk = Math.max(64, (rows + 1023) / 1024);
        int chunks = Math.max(1, (rows + rowsPerChunk - 1) / rowsPerChunk);
        Tensor partial = empty(DType.FLOAT64, chunks, 2, n);
        kernels.launch3(LAYER_NORM_BACKWARD_PARAMS_PARTIAL.of(dtype), new int[] {(n + PARAM_COLS - 1) / PARAM_COLS, chunks, 1},
                new int[] {PARAM_COLS, PARAM_LANES, 1}, 0, partial, g, x, mean, rstd, rows, n, rowsPerChunk);
        kernels.launch(LAYER_NORM_BACKWARD_PARAMS.of(dtype), Kernels.gridFor(n), dgamma, dbeta, partial, chunks, n);
    }

    // ------------------------------------------------------------------ loss primitives (losses.cu)

    @Override public Tensor bceWithLogits(Tensor x, Tensor t) { return losses.bceWithLogits(x, t); }

    @Override public PairGrads bceWithLogitsBackward(Tensor g, Tensor x, Tensor t) { return losses.bceWithLogitsBackward(g, x, t); }

    @Override public Tensor sigmoidFocal(Tensor x, Tensor t, double alpha, double gamma) { return losses.sigmoidFocal(x, t, alpha, gamma); }

    @Override public Tensor sigmoidFocalBackward(Tensor g, Tensor x, Tensor t, double alpha, double gamma) {
        return losses.sigmoidFocalBackward(g, x, t, alpha, gamma);
    }

    @Override public Tensor crossEntropy(Tensor logits, Tensor target) { return losses.crossEntropy(logits, target); }

    @Override public Tensor crossEntropyBackward(Tensor g, Tensor logits, Tensor target) { return losses.crossEntropyBackward(g, logits, target); }

    @Override public Tensor l1(Tensor a, Tensor b) { return losses.l1(a, b); }

    @Override public PairGrads l1Backward(Tensor g, Tensor a, Tensor b) { return losses.l1Backward(g, a, b); }

    @Override public Tensor temporalGiou(Tensor a, Tensor b) { return losses.temporalGiou(a, b); }

    @Override public PairGrads temporalGiouBackward(Tensor g, Tensor a, Tensor b) { return losses.temporalGiouBackward(g, a, b); }

    // ------------------------------------------------------------------ indexing

    /** a's layout seen through index's shape, with the indexed axis' stride zeroed (the index supplies it). */
    private static int[] axisFree(Tensor t, int axis, int[] shape) {
        int[] s = t.strides();
        s[axis] = 0;
        return Layouts.of(shape, s, t.offset());
    }

    /** A device flag for out-of-range indices: Long.MAX_VALUE means none was seen. */
    Tensor badIndexFlag() { return Tensor.wrap(upload(new long[] {Long.MAX_VALUE}), 1); }

    static void checkFlag(String op, Tensor flag, int limit) {
        long bad = ((long[]) flag.backend().download(flag))[0];
        if (bad != Long.MAX_VALUE) throw new IndexOutOfBoundsException(op + ": index " + bad + " is out of bounds for size " + limit);
    }

    @Override public Tensor gather(Tensor a, int axis, Tensor index) {
        int[] shape = index.shape();
        Tensor out = empty(a.dtype(), shape);
        long n = out.numel();
        if (n == 0) return out;
        int limit = a.size(axis);
        Tensor flag = badIndexFlag();
        kernels.launch(GATHER.of(a.dtype()), Kernels.gridFor(n), out, a, axisFree(a, axis, shape), a.stride(axis),
                limit, index, Layouts.of(index), n, flag);
        checkFlag("gather", flag, limit);
        return out;
    }

    @Override public Tensor scatterAdd(int[] shape, int axis, Tensor index, Tensor src) {
        Kernel kernel = SCATTER_ADD.of(src.dtype());
        Tensor out = Tensor.wrap(allocate(src.dtype(), Shape.numel(shape)), shape);
        long n = index.numel();
        if (n == 0) return out;
        Tensor flag = badIndexFlag();
        kernels.launch(kernel, Kernels.gridFor(n), out, axisFree(out, axis, index.shape()), out.stride(axis),
                shape[axis], index, Layouts.of(index), src, Layouts.of(src), n, flag);
        checkFlag("scatter_add", flag, shape[axis]);
        return out;
    }
}
