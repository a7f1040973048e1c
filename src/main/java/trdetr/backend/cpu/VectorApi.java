package trdetr.backend.cpu;

/**
 * Whether the incubating Vector API ({@code jdk.incubator.vector}) is in the boot layer. Classes that use it
 * ({@link VectorSgemm}, {@link VectorBinary}) are loaded only behind this check, so the CPU backend also runs on a
 * JVM started without {@code --add-modules jdk.incubator.vector}, through its scalar loops.
 */
final class VectorApi {
    private VectorApi() {}

    static final boolean AVAILABLE = present();

    /**
     * Whether element-wise kernels use their Vector API rows ({@link VectorBinary}); {@code -Dtrdetr.elementwise=scalar}
     * keeps the scalar loops, for comparison (ElementwiseBench) and for ruling the vector path out.
     */
    static final boolean ELEMENTWISE = AVAILABLE && !"scalar".equalsIgnoreCase(System.getProperty("trdetr.elementwise", ""));

    private static boolean present() {
        try {
            return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        } catch (Throwable t) {
            return false;
        }
    }
}
