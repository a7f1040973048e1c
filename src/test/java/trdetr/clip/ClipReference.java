package trdetr.clip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import trdetr.autograd.GradMode;
import trdetr.io.NdArray;
import trdetr.io.Npz;
import trdetr.opcheck.GradCheck;
import trdetr.tensor.Tensor;

/**
 * The committed CLIP fixture (tools/make_clip_fixtures.py): a small random CLIP ViT in the Hugging Face layout and
 * OpenAI's outputs for its token ids and pixels, in float64 and float32 (docs/clip.md, "Encoders").
 */
final class ClipReference {
    static final Path DIR = Path.of("src/test/resources/clip");

    final Map<String, NdArray> arrays;
    final int[][] ids;

    ClipReference() throws IOException {
        arrays = Npz.read(DIR.resolve("reference.npz"));
        NdArray a = arrays.get("ids");
        long[] v = (long[]) a.data();
        ids = new int[a.shape()[0]][a.shape()[1]];
        for (int b = 0; b < ids.length; b++) for (int i = 0; i < ids[b].length; i++) ids[b][i] = (int) v[b * ids[b].length + i];
    }

    /** The preprocessed pixels, float32 on the CPU. */
    Tensor pixels() { return arrays.get("pixels").toTensor(); }

    /** The relative errors of one run's outputs against a reference's (‖ours − ref‖ / ‖ref‖ over the whole tensor). */
    record Errors(double hidden, double tokens, double text, double image) {
        double worst() { return Math.max(Math.max(hidden, tokens), Math.max(text, image)); }

        @Override public String toString() {
            return String.format("hidden %.2e, tokens %.2e, text %.2e, image %.2e", hidden, tokens, text, image);
        }
    }

    /**
     * Ours against OpenAI's run in {@code suffix} ("f64" or "f32"): the states of all 77 positions of each row
     * (the text tower on the padded rows), the per-token states up to each end-of-text token
     * ({@link ClipModel#encodeTextTokens}), the sentence and the image embeddings.
     */
    @SuppressWarnings("try")
    Errors errors(ClipModel model, String suffix) {
        double[] hidden;
        try (var g = GradMode.noGrad()) {
            long[] flat = (long[]) arrays.get("ids").data();
            hidden = model.textModel().forward(Tensor.fromHost(model.backend(), flat.clone(), ids.length, ids[0].length)).toDoubleArray();
        }
        ClipModel.TextFeatures text = model.encodeTextFeatures(ids);
        List<Double> ours = new ArrayList<>();
        for (Tensor t : text.tokenStates()) for (double x : t.toDoubleArray()) ours.add(x);
        return new Errors(
                GradCheck.relativeError(hidden, expected("text_hidden_" + suffix)),
                GradCheck.relativeError(ours.stream().mapToDouble(Double::doubleValue).toArray(), expectedTokens(suffix, model)),
                GradCheck.relativeError(text.embeds().toDoubleArray(), expected("text_embeds_" + suffix)),
                GradCheck.relativeError(model.encodeImage(pixels()).toDoubleArray(), expected("image_embeds_" + suffix)));
    }

    /** Ours in float64 to 1e-9 of OpenAI's float64 answer (docs/exactness.md); returns the errors. */
    Errors assertFloat64(ClipModel model) {
        Errors e = errors(model, "f64");
        System.out.println("float64 on " + model.backend().name() + " against OpenAI float64: " + e);
        assertThat(e.worst()).as("float64 against OpenAI's float64 answer: " + e).isLessThan(1e-9);
        return e;
    }

    /**
     * Ours in float32 against OpenAI's float64 answer: each output within 10 × OpenAI's own float32 error of that
     * answer, and within 1e-5 (docs/exactness.md); returns the errors.
     */
    Errors assertFloat32(ClipModel model) {
        Errors ours = errors(model, "f64");
        Errors theirs = referenceFloat32Error();
        String what = "float32 on " + model.backend().name() + " against OpenAI float64: ours " + ours + "; OpenAI float32 " + theirs;
        System.out.println(what);
        double[] o = {ours.hidden(), ours.tokens(), ours.text(), ours.image()};
        double[] t = {theirs.hidden(), theirs.tokens(), theirs.text(), theirs.image()};
        for (int i = 0; i < o.length; i++) assertThat(o[i]).as(what).isLessThan(Math.min(1e-5, 10 * t[i]));
        return ours;
    }

    /** OpenAI's float32 run against its float64 run: the float32 rounding error ours is held to. */
    Errors referenceFloat32Error() {
        double[] t32 = tokens(expected("text_hidden_f32")), t64 = tokens(expected("text_hidden_f64"));
        return new Errors(
                GradCheck.relativeError(expected("text_hidden_f32"), expected("text_hidden_f64")),
                GradCheck.relativeError(t32, t64),
                GradCheck.relativeError(expected("text_embeds_f32"), expected("text_embeds_f64")),
                GradCheck.relativeError(expected("image_embeds_f32"), expected("image_embeds_f64")));
    }

    double[] expected(String name) {
        return arrays.get(name).toTensor().toDoubleArray();          // float32 arrays widened exactly
    }

    private double[] expectedTokens(String suffix, ClipModel model) {
        return tokens(expected("text_hidden_" + suffix), model.endOfText(ids));
    }

    private double[] tokens(double[] hidden) {
        int[] eot = new int[ids.length];
        for (int b = 0; b < ids.length; b++) for (int i = 0; i < ids[b].length; i++) if (ids[b][i] > ids[b][eot[b]]) eot[b] = i;
        return tokens(hidden, eot);
    }

    /** Rows 0..eot[b] of each sample of a (B, 77, width) array, concatenated. */
    private double[] tokens(double[] hidden, int[] eot) {
        int length = ids[0].length, width = hidden.length / (ids.length * length);
        List<Double> out = new ArrayList<>();
        for (int b = 0; b < ids.length; b++) {
            for (int i = 0; i < (eot[b] + 1) * width; i++) out.add(hidden[b * length * width + i]);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
