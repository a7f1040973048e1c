package trdetr.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import trdetr.backend.Backend;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaDevice;
import trdetr.tensor.Tensor;

/**
 * Model parity on the GPU: the whole model, loss and gradients on the CUDA backend against the official code's
 * reference, with the CPU verify's tolerances: {@link Verifier#TOL_VALUES} and {@link Verifier#TOL_GRADS} on the float32
 * fixtures of src/test/reference; on its float64 (parity) fixtures ours in float64 to
 * {@link Verifier#TOL_FLOAT64} and ours in float32 within 10 × the official float32 error of the float64 answer.
 */
class CudaVerifierTest {
    @ParameterizedTest
    @ValueSource(strings = {"reference_dec1.npz", "reference_small.npz", "reference_audio.npz", "parity_w4868_audio.npz",
            "parity_dec1_h4_q3.npz", "parity_layers3_noaux.npz", "parity_b1_layers4.npz"})
    void theModelOnTheGpuMatchesTheOfficialCode(String fixture) throws Exception {
        assumeTrue(CudaBackend.isAvailable(), CudaDevice.unavailableReason());
        Path file = VerifierTest.REFERENCES.resolve(fixture);
        CudaBackend cuda = CudaBackend.get();
        Backend previous = Tensor.setDefaultBackend(cuda);                  // the model, weights and inputs go to the GPU
        try {
            cuda.resetPeak();
            long start = cuda.bytesInUse();
            Verifier.Report report = Verifier.run(Reference.load(file), null);
            assertThat(cuda.peakBytesInUse()).as("ran on the GPU").isGreaterThan(start);
            VerifierTest.assertAllPass(report);
        } finally {
            Tensor.setDefaultBackend(previous);
        }
    }
}
