package trdetr.backend.cpu;

/**
 * Whether {@link VectorLoops} may run, decided without touching it: VectorLoops names Vector API types in its fields,
 * so merely reading a flag of its own loads it, and on a JVM started without {@code --add-modules
 * jdk.incubator.vector} that is a NoClassDefFoundError in the middle of a training step. This class names none.
 */
final class VectorLoopGates {
    private VectorLoopGates() {}

    /** The element-wise Vector API loops: the module is in the boot layer, and {@code -Dtrdetr.elementwise=strided} is not set. */
    static final boolean LOOPS = Sgemm.VECTOR && UnitStrideBinary.ENABLED;

    /**
     * The dropout loop: only where 512-bit vectors are native (AVX-512, whose DQ part multiplies 64-bit lanes).
     * {@code -Dtrdetr.dropout=scalar} keeps the scalar loop, for comparison.
     */
    static final boolean DROPOUT = LOOPS && !"scalar".equalsIgnoreCase(System.getProperty("trdetr.dropout", ""))
            && VectorLoops.dropoutSupported();
}
