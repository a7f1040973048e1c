package trdetr.clip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import trdetr.backend.cpu.CpuBackend;
import trdetr.tensor.DType;

/**
 * Our CLIP encoders against OpenAI's CLIP code on the committed fixture (tools/make_clip_fixtures.py): float64 to
 * 1e-9 of OpenAI's float64 answer, float32 within 10 × OpenAI's own float32 error of that answer and 1e-5
 * (docs/exactness.md).
 */
class ClipModelTest {
    private static ClipReference ref;

    @BeforeAll
    static void readFixture() throws Exception { ref = new ClipReference(); }

    @Test
    void float64MatchesOpenAisFloat64Answer() throws Exception {
        ClipModel model = ClipModel.load(ClipReference.DIR, CpuBackend.INSTANCE, DType.FLOAT64);
        ClipReference.Errors e = ref.errors(model, "f64");
        System.out.println("float64 against OpenAI float64: " + e);
        assertThat(e.worst()).isLessThan(1e-9);
    }

    @Test
    void float32IsWithinOpenAisOwnFloat32Error() throws Exception {
        ClipModel model = ClipModel.load(ClipReference.DIR, CpuBackend.INSTANCE, DType.FLOAT32);
        ClipReference.Errors ours = ref.errors(model, "f64");
        ClipReference.Errors theirs = ref.referenceFloat32Error();
        System.out.println("float32 against OpenAI float64: ours " + ours + "; OpenAI float32 " + theirs);
        assertThat(ours.hidden()).isLessThan(Math.min(1e-5, 10 * theirs.hidden()));
        assertThat(ours.tokens()).isLessThan(Math.min(1e-5, 10 * theirs.tokens()));
        assertThat(ours.text()).isLessThan(Math.min(1e-5, 10 * theirs.text()));
        assertThat(ours.image()).isLessThan(Math.min(1e-5, 10 * theirs.image()));
    }
}
