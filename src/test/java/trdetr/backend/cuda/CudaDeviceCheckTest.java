package trdetr.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import trdetr.opcheck.DeviceCheck;
import trdetr.opcheck.OpCases;

/**
 * Every op case on the GPU against the CPU backend, forward and backward, float32 and float64, with fresh outputs
 * poisoned with NaN so an element a kernel forgets to write fails: the checks of {@code gradcheck --device cuda}.
 */
class CudaDeviceCheckTest {
    private static CudaBackend cuda;

    @BeforeAll
    static void gpu() {
        assumeTrue(CudaBackend.isAvailable(), CudaDevice.unavailableReason());
        cuda = CudaBackend.get();
        cuda.setPoison(true);
    }

    @AfterAll
    static void unpoison() { if (cuda != null) cuda.setPoison(false); }

    @TestFactory
    Stream<DynamicTest> everyOpMatchesTheCpu() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            DeviceCheck.Result r = DeviceCheck.check(c, 1, cuda);
            Assertions.assertTrue(r.passed(), r.line());
        }));
    }
}
