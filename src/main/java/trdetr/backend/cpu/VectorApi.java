package trdetr.backend.cpu;

/**
 * Whether the incubating Vector API ({@code jdk.incubator.vector}) is in the boot layer. Classes that use it
 * ({@link VectorSgemm}) are loaded only behind this check, so the CPU backend also runs on a
 * JVM started without {@code --add-modules jdk.incubator.vector}, through its scalar loops.
 */
final class VectorApi {
    private VectorApi() {}

    static final boolean AVAILABLE = present();

    private static boolean present() {
        try {
            return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        } catch (Throwable t) {
            return false;
        }
    }
}
