package trdetr.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import trdetr.backend.cuda.CudaBackend;
import trdetr.backend.cuda.CudaDevice;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/**
 * The CLIP encoders on the GPU against OpenAI's CLIP code, with the CPU test's bounds ({@link ClipModelTest}):
 * float64 to 1e-9 of OpenAI's float64 answer, float32 within 10 × OpenAI's float32 error and 1e-5. Skipped
 * without a usable GPU; tools/gpu_checks.sh runs it.
 */
class CudaClipModelTest {
    @Test
    void theEncodersOnTheGpuMatchOpenAi() throws Exception {
        assumeTrue(CudaBackend.isAvailable(), CudaDevice.unavailableReason());
        CudaBackend cuda = CudaBackend.get();
        ClipReference ref = new ClipReference();
        ClipModel f64 = ClipModel.load(ClipReference.DIR, cuda, DType.FLOAT64);
        Tensor image = f64.encodeImage(ref.pixels());
        assertThat(image.backend()).as("the outputs stay on the GPU").isSameAs(cuda);
        ref.assertFloat64(f64);
        long before = cuda.bytesInUse();
        ref.assertFloat32(ClipModel.load(ClipReference.DIR, cuda, DType.FLOAT32));
        System.out.println("GPU memory in use: " + before + " bytes before the float32 model, " + cuda.bytesInUse() + " after its checks");
    }
}
