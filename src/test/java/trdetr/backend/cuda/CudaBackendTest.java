package trdetr.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import trdetr.backend.MemoryScope;
import trdetr.backend.cpu.CpuBackend;
import trdetr.nn.Init;
import trdetr.ops.Elementwise;
import trdetr.tensor.DType;
import trdetr.tensor.Tensor;

/** The CUDA backend's own behaviour: memory scopes, errors that name the problem, transfers. Skips without a GPU. */
class CudaBackendTest {
    private static CudaBackend cuda;

    @BeforeAll
    static void gpu() {
        assumeTrue(CudaBackend.isAvailable(), CudaDevice.unavailableReason());
        cuda = CudaBackend.get();
    }

    private static CudaStorage storage(Tensor t) { return (CudaStorage) t.storage(); }

    @Test
    void aScopeReleasesItsBuffersAtCloseExceptThoseKept() {
        Tensor operand, dropped, result;
        long inside;
        try (MemoryScope outer = cuda.openScope()) {
            try (MemoryScope s = cuda.openScope()) {
                dropped = Tensor.zeros(cuda, DType.FLOAT32, 300_000);                  // 1.2 MB: a large block
                operand = Tensor.zeros(cuda, DType.FLOAT64, 1000);
                result = operand.add(1.0);
                s.keep(result);
                inside = cuda.bytesInUse();
            }
            assertThat(storage(dropped).isReleased()).isTrue();
            assertThat(storage(operand).isReleased()).isTrue();
            assertThat(storage(result).isReleased()).isFalse();                        // passed to the outer scope
            long released = DeviceAllocator.rounded(300_000L * 4) + DeviceAllocator.rounded(1000L * 8);
            assertThat(cuda.bytesInUse()).isLessThanOrEqualTo(inside - released);       // other releases can only lower it
            assertThat(result.toDoubleArray()).containsOnly(1.0);
        }
        assertThat(storage(result).isReleased()).isTrue();                              // the outer scope owned it
    }

    /** ReLU keeps NaN on the device as on the CPU and in torch (kernels/elementwise.cu). */
    @Test
    void reluKeepsNaNAsTheCpuBackend() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.of(new double[] {Double.NaN, -1, 0, 2.5, Double.POSITIVE_INFINITY, -3}, 2, 3).to(dtype);
            assertThat(x.to(cuda).relu().toDoubleArray()).as("%s", dtype).containsExactly(x.relu().toDoubleArray());
        }
    }

    @Test
    void aBufferUsedAfterItsScopeReleasedItIsAClearError() {
        Tensor t;
        try (MemoryScope s = cuda.openScope()) {
            t = Tensor.zeros(cuda, DType.FLOAT32, 7);
        }
        assertThatThrownBy(() -> t.add(t)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("float32 device buffer of 7 elements was used after its memory scope released it");
    }

    @Test
    void anOutOfBoundsGatherIndexIsReportedNotRead() {
        Tensor a = Tensor.fromHost(cuda, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor index = Tensor.fromHost(cuda, new long[] {0, 5, 1, 2}, 2, 2);
        assertThatThrownBy(() -> a.gather(1, index)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("gather: index 5 is out of bounds for size 3");
        Tensor negative = Tensor.fromHost(cuda, new long[] {0, -1, 1, 2}, 2, 2);
        assertThatThrownBy(() -> a.gather(1, negative)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(a.gather(1, Tensor.fromHost(cuda, new long[] {2, 0, 1, 1}, 2, 2)).toFloatArray()).containsExactly(3, 1, 5, 5);
    }

    @Test
    void copiesCrossDevicesInBothDirections() {
        double[] values = {0.5, -1.25, 3, 0.125, 7, -8};            // exact in float32
        Tensor host = Tensor.fromHost(CpuBackend.INSTANCE, values.clone(), 2, 3);
        Tensor device = Tensor.zeros(cuda, DType.FLOAT32, 2, 3);
        Init.copy(device, host);                                                       // CPU float64 → CUDA float32
        assertThat(device.backend()).isSameAs(cuda);
        assertThat(device.toDoubleArray()).containsExactly(values);
        Tensor back = Tensor.zeros(CpuBackend.INSTANCE, DType.FLOAT64, 3, 2);
        Elementwise.assign(back, Tensor.fromHost(cuda, values.clone(), 2, 3).mT().contiguous()); // a CUDA view → CPU
        assertThat(back.toDoubleArray()).containsExactly(0.5, 0.125, -1.25, 7, 3, -8);
        assertThat(host.to(cuda).to(CpuBackend.INSTANCE).toDoubleArray()).containsExactly(values);
        // A CPU tensor handed straight to a CUDA kernel is named, not a ClassCastException.
        assertThatThrownBy(() -> cuda.copy(device, host)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpu tensor [2, 3] was passed to a CUDA kernel");
        assertThatThrownBy(() -> device.add(host.to(DType.FLOAT32))).hasMessageContaining("different devices");
    }

    @Test
    void uploadAndDownloadRoundTripEveryDtype() {
        float[] f = {1.5f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -3.4e38f, 0.1f};
        double[] d = {1.5, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, 1e308, 0.1};
        long[] l = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40, 42, -7};
        boolean[] b = {true, false, false, true, true, false, true};
        assertThat((float[]) cuda.download(Tensor.wrap(cuda.upload(f), 7))).containsExactly(f);
        assertThat((double[]) cuda.download(Tensor.wrap(cuda.upload(d), 7))).containsExactly(d);
        assertThat((long[]) cuda.download(Tensor.wrap(cuda.upload(l), 7))).containsExactly(l);
        assertThat((boolean[]) cuda.download(Tensor.wrap(cuda.upload(b), 7))).containsExactly(b);
        for (Object empty : new Object[] {new float[0], new double[0], new long[0], new boolean[0]}) {
            assertThat(java.lang.reflect.Array.getLength(cuda.download(Tensor.wrap(cuda.upload(empty), 0)))).isZero();
        }
        // A strided view downloads in row-major order of the view.
        Tensor m = Tensor.wrap(cuda.upload(new long[] {1, 2, 3, 4, 5, 6}), 2, 3);
        assertThat((long[]) cuda.download(m.mT())).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat((long[]) cuda.download(m.slice(1, 1, 3))).containsExactly(2, 3, 5, 6);
    }
}
