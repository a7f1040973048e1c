package trdetr.tensor;

import java.util.Arrays;
import java.util.List;
import trdetr.autograd.Autograd;
import trdetr.autograd.GradMode;
import trdetr.autograd.Node;
import trdetr.backend.Backend;
import trdetr.backend.BinaryOp;
import trdetr.backend.ReduceOp;
import trdetr.backend.UnaryOp;
import trdetr.backend.cpu.CpuBackend;
import trdetr.ops.Elementwise;
import trdetr.ops.Indexing;
import trdetr.ops.LinearAlgebra;
import trdetr.ops.Normalization;
import trdetr.ops.Reductions;
import trdetr.ops.Views;

/**
 * An n-dimensional array on some backend: a strided view (shape, strides, offset) of a {@link Storage}, plus the
 * autograd state (requiresGrad, grad, the node that produced it). The math lives in {@code trdetr.ops}; the
 * methods here are the fluent front door to it, named as in PyTorch.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    /** Name of the op that produced this tensor ("leaf" for created tensors), for error messages. */
    private String producer = "leaf";

    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A fresh contiguous tensor over a storage. */
    public static Tensor wrap(Storage storage, int... shape) {
        if (Shape.numel(shape) != storage.size()) {
            throw new IllegalArgumentException("storage of " + storage.size() + " elements cannot hold shape " + Shape.str(shape));
        }
        return new Tensor(storage, shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    // ---------------------------------------------------------------- creation

    private static volatile Backend defaultBackend = CpuBackend.INSTANCE;

    /** Where creation functions without an explicit backend put tensors (the CPU unless a command chose a device). */
    public static Backend defaultBackend() { return defaultBackend; }

    /** Sets {@link #defaultBackend()} and returns the previous one (commands call this once, from --device). */
    public static Backend setDefaultBackend(Backend backend) {
        Backend previous = defaultBackend;
        defaultBackend = backend;
        return previous;
    }

    public static Tensor zeros(DType dtype, int... shape) { return zeros(defaultBackend(), dtype, shape); }

    public static Tensor zeros(Backend backend, DType dtype, int... shape) {
        return wrap(backend.allocate(dtype, Shape.numel(shape)), shape);
    }

    public static Tensor full(Backend backend, DType dtype, double value, int... shape) {
        Tensor t = zeros(backend, dtype, shape);
        if (value != 0) backend.fill(t, value);
        return t;
    }

    public static Tensor ones(DType dtype, int... shape) { return full(defaultBackend(), dtype, 1.0, shape); }

    public static Tensor onesLike(Tensor t) { return full(t.backend(), t.dtype(), 1.0, t.shape); }

    public static Tensor zerosLike(Tensor t) { return zeros(t.backend(), t.dtype(), t.shape); }

    /** A 0-d tensor holding one number. */
    public static Tensor scalar(Backend backend, DType dtype, double value) { return full(backend, dtype, value); }

    public static Tensor of(float[] data, int... shape) { return fromHost(defaultBackend(), data.clone(), shape); }

    public static Tensor of(double[] data, int... shape) { return fromHost(defaultBackend(), data.clone(), shape); }

    public static Tensor ofLongs(long[] data, int... shape) { return fromHost(defaultBackend(), data.clone(), shape); }

    public static Tensor ofBools(boolean[] data, int... shape) { return fromHost(defaultBackend(), data.clone(), shape); }

    /** Wraps a host array (float[], double[], long[] or boolean[]) on a backend; CPU tensors may share it. */
    public static Tensor fromHost(Backend backend, Object hostArray, int... shape) {
        return wrap(backend.upload(hostArray), shape);
    }

    /** Uniform in [lo, hi). */
    public static Tensor uniform(Generator gen, DType dtype, double lo, double hi, int... shape) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * gen.nextDouble();
        return of(v, shape).to(dtype);
    }

    /** Standard normal. */
    public static Tensor randn(Generator gen, DType dtype, int... shape) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = gen.nextGaussian();
        return of(v, shape).to(dtype);
    }

    /** 0, 1, ..., n-1 as INT64. */
    public static Tensor arange(int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return ofLongs(v, n);
    }

    // ---------------------------------------------------------------- layout

    public Storage storage() { return storage; }

    public Backend backend() { return storage.backend(); }

    public DType dtype() { return storage.dtype(); }

    public int[] shape() { return shape.clone(); }

    public int size(int axis) { return shape[Shape.axis("size", axis, shape.length)]; }

    public int[] strides() { return strides.clone(); }

    public int stride(int axis) { return strides[Shape.axis("stride", axis, shape.length)]; }

    public int offset() { return offset; }

    public int rank() { return shape.length; }

    public int numel() { return Shape.numel(shape); }

    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    // ---------------------------------------------------------------- autograd state

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as a parameter-like tensor whose gradient backward accumulates. */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null) throw new IllegalStateException("requiresGrad: only leaf tensors can change it; this one was produced by '" + producer + "'");
        if (on && !dtype().isFloating()) throw new IllegalArgumentException("requiresGrad: " + dtype() + " tensors cannot require grad");
        this.requiresGrad = on;
        return this;
    }

    public Tensor grad() { return grad; }

    public void setGrad(Tensor g) { this.grad = g; }

    public Node gradFn() { return gradFn; }

    public String producer() { return producer; }

    public boolean isLeaf() { return gradFn == null; }

    /** Called by {@link Autograd#record} only. */
    public void attachHistory(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
        this.producer = node.op();
    }

    public Tensor named(String op) {
        if (gradFn == null) this.producer = op;
        return this;
    }

    /** backward() from a scalar. */
    public void backward() { Autograd.backward(this, null, false); }

    public void backward(Tensor gradient, boolean retainGraph) { Autograd.backward(this, gradient, retainGraph); }

    /** The same data without history. */
    public Tensor detach() { return new Tensor(storage, shape, strides, offset).named("detach"); }

    // ---------------------------------------------------------------- data movement

    /** A copy with the given dtype (differentiable between float types). */
    public Tensor to(DType dtype) { return Elementwise.cast(this, dtype); }

    /** This tensor on another backend (differentiable). */
    public Tensor to(Backend backend) { return Elementwise.toBackend(this, backend); }

    public Tensor contiguous() { return isContiguous() ? this : Views.contiguousCopy(this); }

    /** Always a fresh contiguous buffer (differentiable). */
    public Tensor contiguousCopy() { return Views.contiguousCopy(this); }

    public float[] toFloatArray() { return (float[]) to(DType.FLOAT32).download(); }

    public double[] toDoubleArray() { return (double[]) to(DType.FLOAT64).download(); }

    public long[] toLongArray() { return (long[]) to(DType.INT64).download(); }

    public boolean[] toBoolArray() { return (boolean[]) to(DType.BOOL).download(); }

    private Object download() { return backend().download(this); }

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalArgumentException("item: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, not 1");
        return toDoubleArray()[0];
    }

    // ---------------------------------------------------------------- views

    public Tensor reshape(int... newShape) { return Views.reshape(this, newShape); }

    public Tensor flatten() { return reshape(numel()); }

    public Tensor permute(int... order) { return Views.permute(this, order); }

    public Tensor transpose(int a, int b) { return Views.transpose(this, a, b); }

    /** The transpose of the last two axes. */
    public Tensor mT() { return transpose(-2, -1); }

    /** Elements [start, end) along an axis (negative indices count from the end, as in Python). */
    public Tensor slice(int axis, int start, int end) { return Views.slice(this, axis, start, end); }

    /** Index i along an axis, removing the axis. */
    public Tensor select(int axis, int index) { return Views.select(this, axis, index); }

    public Tensor expand(int... newShape) { return Views.expand(this, newShape); }

    public Tensor unsqueeze(int axis) { return Views.unsqueeze(this, axis); }

    public Tensor squeeze(int axis) { return Views.squeeze(this, axis); }

    // ---------------------------------------------------------------- element-wise

    public Tensor add(Tensor o) { return Elementwise.binary(BinaryOp.ADD, this, o); }

    public Tensor sub(Tensor o) { return Elementwise.binary(BinaryOp.SUB, this, o); }

    public Tensor mul(Tensor o) { return Elementwise.binary(BinaryOp.MUL, this, o); }

    public Tensor div(Tensor o) { return Elementwise.binary(BinaryOp.DIV, this, o); }

    public Tensor maximum(Tensor o) { return Elementwise.binary(BinaryOp.MAXIMUM, this, o); }

    public Tensor minimum(Tensor o) { return Elementwise.binary(BinaryOp.MINIMUM, this, o); }

    public Tensor add(double c) { return Elementwise.affine(this, 1.0, c); }

    public Tensor sub(double c) { return Elementwise.affine(this, 1.0, -c); }

    public Tensor mul(double c) { return Elementwise.affine(this, c, 0.0); }

    public Tensor div(double c) { return Elementwise.affine(this, 1.0 / c, 0.0); }

    /** c - this. */
    public Tensor rsub(double c) { return Elementwise.affine(this, -1.0, c); }

    public Tensor neg() { return Elementwise.unary(UnaryOp.NEG, this); }

    public Tensor exp() { return Elementwise.unary(UnaryOp.EXP, this); }

    public Tensor log() { return Elementwise.unary(UnaryOp.LOG, this); }

    public Tensor log1p() { return Elementwise.unary(UnaryOp.LOG1P, this); }

    public Tensor sqrt() { return Elementwise.unary(UnaryOp.SQRT, this); }

    public Tensor tanh() { return Elementwise.unary(UnaryOp.TANH, this); }

    public Tensor sigmoid() { return Elementwise.unary(UnaryOp.SIGMOID, this); }

    public Tensor relu() { return Elementwise.unary(UnaryOp.RELU, this); }

    public Tensor abs() { return Elementwise.unary(UnaryOp.ABS, this); }

    public Tensor sin() { return Elementwise.unary(UnaryOp.SIN, this); }

    public Tensor cos() { return Elementwise.unary(UnaryOp.COS, this); }

    /** Non-differentiable sign (gradient zero, as PyTorch). */
    public Tensor sign() { return Elementwise.unary(UnaryOp.SIGN, this); }

    public Tensor pow(double exponent) { return Elementwise.pow(this, exponent); }

    public Tensor square() { return mul(this); }

    public Tensor clamp(double lo, double hi) { return Elementwise.clamp(this, lo, hi); }

    public Tensor clampMin(double lo) { return clamp(lo, Double.POSITIVE_INFINITY); }

    public Tensor clampMax(double hi) { return clamp(Double.NEGATIVE_INFINITY, hi); }

    /** PReLU with a learnable slope tensor broadcast against this one. */
    public Tensor prelu(Tensor slope) { return Elementwise.prelu(this, slope); }

    public Tensor eq(Tensor o) { return Elementwise.compare(BinaryOp.EQ, this, o); }

    public Tensor ne(Tensor o) { return Elementwise.compare(BinaryOp.NE, this, o); }

    public Tensor lt(Tensor o) { return Elementwise.compare(BinaryOp.LT, this, o); }

    public Tensor le(Tensor o) { return Elementwise.compare(BinaryOp.LE, this, o); }

    public Tensor gt(Tensor o) { return Elementwise.compare(BinaryOp.GT, this, o); }

    public Tensor ge(Tensor o) { return Elementwise.compare(BinaryOp.GE, this, o); }

    public Tensor eq(double c) { return eq(scalarLike(c)); }

    public Tensor lt(double c) { return lt(scalarLike(c)); }

    public Tensor le(double c) { return le(scalarLike(c)); }

    public Tensor gt(double c) { return gt(scalarLike(c)); }

    public Tensor ge(double c) { return ge(scalarLike(c)); }

    public Tensor and(Tensor o) { return Elementwise.compare(BinaryOp.AND, this, o); }

    public Tensor or(Tensor o) { return Elementwise.compare(BinaryOp.OR, this, o); }

    public Tensor not() { return Elementwise.not(this); }

    /** cond ? this : other (torch.where(cond, this, other)). */
    public Tensor where(Tensor cond, Tensor other) { return Elementwise.where(cond, this, other); }

    /** Elements where mask is true replaced by value (torch.masked_fill). */
    public Tensor maskedFill(Tensor mask, double value) { return Elementwise.where(mask, scalarLike(value), this); }

    /** A 0-d tensor of this tensor's dtype and backend. */
    public Tensor scalarLike(double c) { return scalar(backend(), dtype().isFloating() ? dtype() : DType.FLOAT64, c); }

    // ---------------------------------------------------------------- reductions

    public Tensor sum() { return Reductions.sumAll(this); }

    public Tensor sum(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.SUM, this, axis, keepDim); }

    public Tensor mean() { return Reductions.meanAll(this); }

    public Tensor mean(int axis, boolean keepDim) { return Reductions.mean(this, axis, keepDim); }

    /** Maximum values along an axis; the gradient goes to the first maximal element, as PyTorch's max(dim). */
    public Tensor max(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.MAX, this, axis, keepDim); }

    public Tensor min(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.MIN, this, axis, keepDim); }

    public Tensor max() { return flatten().max(0, false); }

    public Tensor argmax(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.ARGMAX, this, axis, keepDim); }

    public Tensor argmin(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.ARGMIN, this, axis, keepDim); }

    public Tensor logsumexp(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.LOGSUMEXP, this, axis, keepDim); }

    /** Sums broadcast axes away so the result has the given shape (the adjoint of expand). */
    public Tensor sumTo(int... targetShape) { return Reductions.sumTo(this, targetShape); }

    // ---------------------------------------------------------------- linear algebra and normalisation

    public Tensor matmul(Tensor o) { return LinearAlgebra.matmul(this, o, false, false); }

    public Tensor matmul(Tensor o, boolean transA, boolean transB) { return LinearAlgebra.matmul(this, o, transA, transB); }

    public Tensor softmax(int axis) { return Normalization.softmax(this, axis, false); }

    public Tensor logSoftmax(int axis) { return Normalization.softmax(this, axis, true); }

    // ---------------------------------------------------------------- indexing

    public Tensor gather(int axis, Tensor index) { return Indexing.gather(this, axis, index); }

    public Tensor indexSelect(int axis, Tensor index) { return Indexing.indexSelect(this, axis, index); }

    public Tensor cumsum(int axis) { return Indexing.cumsum(this, axis); }

    public static Tensor cat(List<Tensor> parts, int axis) { return Indexing.concat(parts, axis); }

    public static Tensor stack(List<Tensor> parts, int axis) { return Indexing.stack(parts, axis); }

    // ---------------------------------------------------------------- printing

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype()).append(' ').append(Shape.str(shape));
        if (numel() <= 16 && dtype() != DType.BOOL) sb.append(' ').append(Arrays.toString(toDoubleArray()));
        if (requiresGrad) sb.append(", grad_fn=").append(producer);
        return sb.append(')').toString();
    }

    static boolean gradEnabled() { return GradMode.isEnabled(); }
}
